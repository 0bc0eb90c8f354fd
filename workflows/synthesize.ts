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
  return withPseudoParameters(stack.resolve(graph.toGraphJson())) as AslDefinition;
}

const PSEUDO_PARAMETERS: Record<string, string> = { 'AWS::Partition': 'aws', 'AWS::Region': LOCAL_REGION, 'AWS::AccountId': LOCAL_ACCOUNT, 'AWS::URLSuffix': 'amazonaws.com' };

/**
 * Service-integration ARNs (e.g. `lambda:invoke.waitForTaskToken`) carry the partition as a
 * CloudFormation `Fn::Join` that only a deployment resolves; the local definition needs plain
 * strings, so those joins of pseudo parameters are written out here. Any other intrinsic is a bug.
 */
function withPseudoParameters(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withPseudoParameters);
  if (value === null || typeof value !== 'object') return value;
  const node = value as Record<string, unknown>;
  if ('Ref' in node && Object.keys(node).length === 1) {
    const resolved = PSEUDO_PARAMETERS[String(node.Ref)];
    if (resolved === undefined) throw new Error(`the local definition refers to '${String(node.Ref)}'; expected only pseudo parameters (${Object.keys(PSEUDO_PARAMETERS).join(', ')})`);
    return resolved;
  }
  if ('Fn::Join' in node && Object.keys(node).length === 1) {
    const [separator, parts] = node['Fn::Join'] as [string, unknown[]];
    return parts.map((part) => {
      const resolved = withPseudoParameters(part);
      if (typeof resolved !== 'string') throw new Error(`cannot write out a join of ${JSON.stringify(part)}; expected strings and pseudo parameters`);
      return resolved;
    }).join(separator);
  }
  return Object.fromEntries(Object.entries(node).map(([key, inner]) => [key, withPseudoParameters(inner)]));
}
