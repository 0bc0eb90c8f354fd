/**
 * Why a result could not be rendered. Both are platform failures, not business outcomes: the
 * workflow's Fail path reports them; retrying would give the same answer.
 */
import { PetitionError } from '../../errors.ts';

const describeCodePoint = (codePoint: number): string => `U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}`;

/** A core field (name, agency, title, …) holds a character the font cannot draw, or a control character. */
export class UnrenderableTextError extends PetitionError {
  override readonly name = 'UnrenderableTextError';
  readonly code = 'unrenderable-text';
  readonly retryable = false;

  constructor(
    readonly field: string,
    readonly codePoint: number,
    readonly fontName: string,
    reason: 'no-glyph' | 'control-character',
  ) {
    const found = reason === 'no-glyph' ? `which font ${fontName} has no glyph for` : 'a control character';
    super(
      `field ${field} contains ${describeCodePoint(codePoint)}, ${found}; expected text the font draws (Hangul, KS X 1001 Hanja, Latin, common symbols) with no control characters — core fields are never substituted`,
    );
  }
}

/** The content needs more pages (or more characters) than a result may have. */
export class DocumentTooLongError extends PetitionError {
  override readonly name = 'DocumentTooLongError';
  readonly code = 'document-too-long';
  readonly retryable = false;
}
