/**
 * How a file reaches the page: the file input (keyboard and screen readers) or a drop on the drop
 * zone. Either way the bytes are read locally with File.arrayBuffer(); nothing is sent anywhere.
 */

/** A file chosen by the person, read into memory. */
export interface ChosenFile {
  readonly name: string;
  readonly bytes: Uint8Array;
}

/** Calls `onFile` for each file chosen with `input` or dropped on `zone` (the first, when several are dropped). */
export function acceptFiles(input: HTMLInputElement, zone: HTMLElement, onFile: (file: ChosenFile) => void, onError: (error: unknown) => void): void {
  const take = (file: File | undefined) => {
    if (!file) return;
    file.arrayBuffer().then((buffer) => onFile({ name: file.name, bytes: new Uint8Array(buffer) }), onError);
  };
  input.addEventListener('change', () => {
    take(input.files?.[0]);
  });
  // dragover must be cancelled, or the browser opens the dropped PDF itself instead of handing it over.
  zone.addEventListener('dragover', (event) => {
    event.preventDefault();
    if (event.dataTransfer) event.dataTransfer.dropEffect = 'copy';
    zone.classList.add('dragging');
  });
  zone.addEventListener('dragleave', () => zone.classList.remove('dragging'));
  zone.addEventListener('drop', (event) => {
    event.preventDefault();
    zone.classList.remove('dragging');
    if (input.disabled) return;
    take(event.dataTransfer?.files[0]);
  });
  // A file dropped beside the zone would otherwise navigate away from the page to the PDF.
  window.addEventListener('dragover', (event) => event.preventDefault());
  window.addEventListener('drop', (event) => event.preventDefault());
}
