/**
 * Conditional writes: DynamoDB refuses one whose condition does not hold, and the callers treat
 * that refusal as an answer (someone was first, nothing of ours to change), not as a failure.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';

/** DynamoDB's refusal of a conditional write; by name too, as dynalite and another copy of the SDK throw it. */
export const isConditionFailure = (error: unknown): error is ConditionalCheckFailedException =>
  error instanceof ConditionalCheckFailedException ||
  (error instanceof Error && error.name === 'ConditionalCheckFailedException');

/** Awaits a conditional write: true when it was applied, false when its condition refused it. */
export async function conditionHeld(write: Promise<unknown>): Promise<boolean> {
  try {
    await write;
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}
