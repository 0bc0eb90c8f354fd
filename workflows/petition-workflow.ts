/**
 * The petition workflow, written once. CDK turns it into the state machine deployed on AWS; the
 * local runner executes the very ASL this chain synthesizes (docs/adr/0001). State names are the
 * contract between the definition and what runs each Task.
 */
import { Duration } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import { REJECTION_ERROR_NAMES, RETRYABLE_ERROR_NAMES } from '../shared/errors.ts';

/** Every Task state of the workflow; each is one function in functions/workflow/. */
export const TASK_STATES = [
  'VerifyIdentity',
  'FetchEvidence',
  'Decide',
  'IssueSeal',
  'RenderResult',
  'SignResult',
  'Complete',
  'Reject',
  'RequestReview',
  'EscalateReview',
  'RecordFailure',
] as const;
export type TaskState = (typeof TASK_STATES)[number];

/** Maps a Task state to what runs it: deployed Lambda functions on AWS, placeholders locally. */
export type TaskResolver = (state: TaskState) => IFunction;

export interface PetitionWorkflowProps {
  /**
   * How many documents are fetched at once for one petition.
   * @default 4
   */
  readonly evidenceConcurrency?: number;
  /**
   * Retries of an unavailable agency (after the first attempt) before the petition fails.
   * @default 6 (waits of up to 1, 2, 4, 8, 16 and 32 s: exponential backoff with full jitter)
   */
  readonly agencyMaxAttempts?: number;
}

/**
 * Builds the workflow chain: VerifyIdentity → RetrieveEvidence (Map) → Decide → outcome, where a
 * review outcome waits for the case officer's decision (RequestReview, escalated by EscalateReview
 * each time the deadline passes), an approval is sealed (IssueSeal when the type asks for the
 * applicant's seal) and every decision, approval or rejection, ends as a signed PDF (RenderResult →
 * SignResult) before the petition is concluded (Complete / Reject).
 */
export function definePetitionWorkflow(scope: Construct, resolve: TaskResolver, props: PetitionWorkflowProps = {}): sfn.IChainable {
  // Each Task receives and returns small JSON (ids and hashes, never documents): DESIGN §5.
  const task = (state: TaskState, resultPath: string | undefined) =>
    new tasks.LambdaInvoke(scope, state, {
      lambdaFunction: resolve(state),
      payloadResponseOnly: true,
      ...(resultPath === undefined ? {} : { resultPath }),
    });

  const failed = new sfn.Fail(scope, 'PetitionFailed', { error: 'PetitionFailed', cause: 'See the petition timeline for the step that failed and why.' });
  const recordFailure = task('RecordFailure', sfn.JsonPath.DISCARD).next(failed);
  const reject = task('Reject', sfn.JsonPath.DISCARD);
  const complete = task('Complete', sfn.JsonPath.DISCARD);

  // The signed document: a result for an approval, a notice for a rejection (whether the rules
  // rejected or a business check did, in which case $.error says why). Conclude only once it exists.
  const renderResult = task('RenderResult', '$.rendered');
  const signResult = task('SignResult', '$.signed');
  const conclude = new sfn.Choice(scope, 'RouteConclusion')
    .when(sfn.Condition.isPresent('$.error'), reject)
    .when(sfn.Condition.stringEquals('$.decision.outcome', 'approve'), complete)
    .otherwise(reject);
  renderResult.next(signResult).next(conclude);

  /** Business outcomes become a signed rejection notice; anything else fails the petition. */
  const catchOutcomes = <T extends sfn.TaskStateBase | sfn.Map>(state: T): T => {
    state.addCatch(renderResult, { errors: [...REJECTION_ERROR_NAMES], resultPath: '$.error' });
    state.addCatch(recordFailure, { errors: [sfn.Errors.ALL], resultPath: '$.error' });
    return state;
  };
  renderResult.addCatch(recordFailure, { errors: [sfn.Errors.ALL], resultPath: '$.error' });
  // A seal found revoked or expired when the result is signed rejects the petition: the notice is
  // rendered afresh (a different journal key) and carries no applicant seal, so this cannot loop.
  catchOutcomes(signResult);

  const verifyIdentity = catchOutcomes(task('VerifyIdentity', '$.verification'));

  const fetchEvidence = task('FetchEvidence', undefined);
  fetchEvidence.addRetry({
    errors: [...RETRYABLE_ERROR_NAMES],
    interval: Duration.seconds(1),
    backoffRate: 2,
    maxAttempts: props.agencyMaxAttempts ?? 6,
    jitterStrategy: sfn.JitterType.FULL,
  });

  const retrieveEvidence = catchOutcomes(
    new sfn.Map(scope, 'RetrieveEvidence', {
      itemsPath: '$.verification.evidenceIds',
      itemSelector: {
        petitionId: sfn.JsonPath.stringAt('$.petitionId'),
        evidenceId: sfn.JsonPath.stringAt('$$.Map.Item.Value'),
      },
      maxConcurrency: props.evidenceConcurrency ?? 4,
      resultPath: '$.evidence',
    }),
  );
  retrieveEvidence.itemProcessor(fetchEvidence);

  const decide = catchOutcomes(task('Decide', '$.decision'));

  const issueSeal = catchOutcomes(task('IssueSeal', '$.applicantSeal'));
  issueSeal.next(renderResult);
  const sealIfAsked = new sfn.Choice(scope, 'NeedsApplicantSeal')
    .when(
      sfn.Condition.and(sfn.Condition.isPresent('$.verification.requiresApplicantSeal'), sfn.Condition.booleanEquals('$.verification.requiresApplicantSeal', true)),
      issueSeal,
    )
    .otherwise(renderResult);

  // Case-officer review (docs/adr/0006): the execution pauses on a task token until the agency's
  // decision (SendTaskSuccess) or the type's deadline (TimeoutSecondsPath → States.Timeout). Locally
  // the runner hands the step a stand-in token and the step itself is the recorded wait. The
  // officer's decision replaces the rules' one, so what follows renders and concludes with it.
  const requestReview = new tasks.LambdaInvoke(scope, 'RequestReview', {
    lambdaFunction: resolve('RequestReview'),
    integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
    payload: sfn.TaskInput.fromObject({
      petitionId: sfn.JsonPath.stringAt('$.petitionId'),
      decision: sfn.JsonPath.objectAt('$.decision'),
      reviewDeadlineSeconds: sfn.JsonPath.numberAt('$.verification.reviewDeadlineSeconds'),
      taskToken: sfn.JsonPath.taskToken,
    }),
    taskTimeout: sfn.Timeout.at('$.verification.reviewDeadlineSeconds'),
    resultPath: '$.decision',
  });
  // A passed deadline takes the type's escalation path, then the petition waits again for a new
  // deadline. The Catch keeps the state as it was (no $.error), so the conclusion is not a rejection.
  const escalateReview = task('EscalateReview', sfn.JsonPath.DISCARD);
  requestReview.addCatch(escalateReview, { errors: [sfn.Errors.TIMEOUT], resultPath: sfn.JsonPath.DISCARD });
  catchOutcomes(requestReview);
  escalateReview.addCatch(recordFailure, { errors: [sfn.Errors.ALL], resultPath: '$.error' });
  escalateReview.next(requestReview);
  requestReview.next(
    new sfn.Choice(scope, 'RouteReview').when(sfn.Condition.stringEquals('$.decision.outcome', 'approve'), sealIfAsked).otherwise(renderResult),
  );

  const routeDecision = new sfn.Choice(scope, 'RouteDecision')
    .when(sfn.Condition.stringEquals('$.decision.outcome', 'approve'), sealIfAsked)
    .when(sfn.Condition.stringEquals('$.decision.outcome', 'review'), requestReview)
    .otherwise(renderResult);

  return verifyIdentity.next(retrieveEvidence).next(decide).next(routeDecision);
}
