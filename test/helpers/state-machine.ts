/**
 * The definition of a synthesized state machine as the Amazon States Language JSON that
 * CloudFormation would deploy: the template's DefinitionString (an Fn::Join of text and
 * references) with each reference replaced by a placeholder of the same kind.
 */
interface TemplateJson {
  Resources: Record<
    string,
    { Type: string; Properties?: Record<string, unknown> }
  >;
}

function resolvePart(part: unknown): string {
  if (typeof part === 'string') return part;
  const ref = part as { Ref?: string; 'Fn::GetAtt'?: [string, string] };
  if (ref.Ref === 'AWS::Partition') return 'aws';
  if (ref.Ref === 'AWS::Region') return 'us-east-1';
  if (ref.Ref === 'AWS::AccountId') return '123456789012';
  const att = ref['Fn::GetAtt'];
  if (att?.[1] === 'Arn') {
    return `arn:aws:lambda:us-east-1:123456789012:function:${att[0]}`;
  }
  throw new Error(
    `unexpected reference in the definition: ${JSON.stringify(part)}`
  );
}

/** Every state machine's definition in the template, by logical id. */
export function stateMachineDefinitions(
  template: TemplateJson
): Map<string, Record<string, unknown>> {
  const out = new Map<string, Record<string, unknown>>();
  for (const [id, r] of Object.entries(template.Resources)) {
    if (r.Type !== 'AWS::StepFunctions::StateMachine') continue;
    const body = r.Properties?.DefinitionString as
      string | { 'Fn::Join': [string, unknown[]] };
    const text =
      typeof body === 'string'
        ? body
        : body['Fn::Join'][1].map(resolvePart).join(body['Fn::Join'][0]);
    out.set(id, JSON.parse(text) as Record<string, unknown>);
  }
  return out;
}
