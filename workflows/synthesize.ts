/**
 * Synthesizes the workflow's ASL for the local runner from the same CDK chain that AWS deploys.
 * Task resources are placeholder Lambda ARNs; the local runner matches Tasks by state name.
 */
import { App, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { definePetitionWorkflow, type PetitionWorkflowProps } from './petition-workflow.ts';

export const LOCAL_ACCOUNT = '000000000000';
export const LOCAL_REGION = 'ap-northeast-2';

/** The ARN a Task state carries in the locally synthesized definition. */
export const localFunctionArn = (state: string): string => `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:hanbeon-${state}`;

export interface AslDefinition {
  StartAt: string;
  States: Record<string, Record<string, unknown>>;
  [key: string]: unknown;
}

/** Returns the workflow's Amazon States Language definition as plain JSON. */
export function synthesizePetitionDefinition(props: PetitionWorkflowProps = {}): AslDefinition {
  const app = new App();
  const stack = new Stack(app, 'HanbeonLocalWorkflow', { env: { account: LOCAL_ACCOUNT, region: LOCAL_REGION } });
  const chain = definePetitionWorkflow(stack, (state) => lambda.Function.fromFunctionArn(stack, `${state}Function`, localFunctionArn(state)), props);
  const graph = new sfn.StateGraph(sfn.Chain.start(chain).startState, 'petition workflow');
  return stack.resolve(graph.toGraphJson()) as AslDefinition;
}
