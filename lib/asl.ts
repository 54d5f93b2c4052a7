/**
 * The one way Klaxon loads a state machine definition. CDK (DefinitionBody.fromString with
 * definitionSubstitutions), the local runtime and the tests all read the same ASL file through
 * here, so what runs locally is what deploys.
 *
 * Deliberately free of aws-cdk-lib: the local runtime imports it.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export type StateMachineName = 'escalation' | 'postmortem-reminder';
export const STATE_MACHINE_NAMES: readonly StateMachineName[] = ['escalation', 'postmortem-reminder'];

/** Substitutions every escalation definition needs (see `${...}` in the ASL file). */
export interface EscalationSubstitutions {
  PageFunctionArn: string;
  Severity: string;
}

const PLACEHOLDER = /\$\{([A-Za-z][A-Za-z0-9]*)\}/g;

export function aslPath(name: StateMachineName): string {
  return fileURLToPath(new URL(`../statemachines/${name}.asl.json`, import.meta.url));
}

/** The raw ASL text with its `${Placeholders}` intact: what CDK hands to CloudFormation. */
export function readAsl(name: StateMachineName): string {
  return readFileSync(aslPath(name), 'utf8');
}

/** The placeholder names a definition uses. */
export function placeholdersOf(aslText: string): string[] {
  return [...new Set([...aslText.matchAll(PLACEHOLDER)].map((match) => match[1] ?? ''))].sort();
}

/**
 * Fills the placeholders the way Step Functions' definitionSubstitutions does, refusing to leave
 * any unfilled (a missing substitution would otherwise surface as a runtime failure mid-ladder).
 */
export function substitute(aslText: string, substitutions: Record<string, string>): string {
  const missing = placeholdersOf(aslText).filter((name) => !(name in substitutions));
  if (missing.length > 0) {
    throw new Error(`State machine definition needs substitutions for: ${missing.join(', ')}`);
  }
  // JSON-escape each value: it lands inside a JSON string literal.
  return aslText.replace(PLACEHOLDER, (_, name: string) => JSON.stringify(substitutions[name]).slice(1, -1));
}

export function loadEscalationDefinition(substitutions: EscalationSubstitutions): Record<string, unknown> {
  return JSON.parse(substitute(readAsl('escalation'), { ...substitutions })) as Record<string, unknown>;
}

/** Substitutions the post-mortem reminder definition needs. */
export interface PostmortemReminderSubstitutions {
  PageFunctionArn: string;
}

export function loadPostmortemReminderDefinition(
  substitutions: PostmortemReminderSubstitutions,
): Record<string, unknown> {
  return JSON.parse(substitute(readAsl('postmortem-reminder'), { ...substitutions })) as Record<string, unknown>;
}

type AnyState = {
  Type: string;
  Branches?: { States: Record<string, AnyState> }[];
  ItemProcessor?: { States: Record<string, AnyState> };
};

/**
 * Every state of a definition by name, those inside Parallel branches and a Map's item processor
 * included (state names are unique across a whole state machine): for the local runtime's task
 * handlers and the tests.
 */
export function allStates<S extends AnyState>(definition: { States: Record<string, S> }): [string, S][] {
  return Object.entries(definition.States).flatMap(([name, state]) => [
    [name, state] as [string, S],
    ...[...(state.Branches ?? []), ...(state.ItemProcessor ? [state.ItemProcessor] : [])].flatMap((nested) =>
      allStates(nested as { States: Record<string, S> }),
    ),
  ]);
}
