/**
 * The one way a schema's refusal is told to a person: one line per problem, each naming the field
 * by its path (`'payload.summary' is missing or blank`), as the PagerDuty Events API does, so a
 * sender knows which field to fix without reading zod's report format.
 */
import type * as z from 'zod';

/** A body with hundreds of bad alerts gets the first ones; the rest are counted. */
const MAX_ISSUES = 20;

/** The schemas' own messages are written to follow the field's name ("must be …", "is missing …"). */
const FOLLOWS_THE_NAME = /^(?:is|are|must|should|has|have|can|cannot)\b/;

/**
 * One line per issue. `root` names the value itself (the body, the query, the form) for an issue
 * about the whole of it rather than a field.
 */
export function validationIssues(error: z.ZodError, root = 'body'): string[] {
  const lines = error.issues.slice(0, MAX_ISSUES).map((issue) => {
    const name = `'${issue.path.map(String).join('.') || root}'`;
    // zod's wording for a field that is not there at all is "expected string, received undefined".
    const missing = issue.code === 'invalid_type' && /received undefined$/.test(issue.message);
    const message = missing ? 'is missing' : issue.message;
    return FOLLOWS_THE_NAME.test(message) ? `${name} ${message}` : `${name}: ${message}`;
  });
  const more = error.issues.length - lines.length;
  return more > 0 ? [...lines, `and ${more} more`] : lines;
}

/** The issues as one sentence: `<what>: <issue>; <issue>`. */
export function describeValidation(what: string, error: z.ZodError, root?: string): string {
  return `${what}: ${validationIssues(error, root).join('; ')}`;
}
