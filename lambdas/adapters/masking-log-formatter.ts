/**
 * Powertools' JSON log layout with the responders' contact details masked: a log line may quote
 * a responder, a page or an error from SNS, and phone numbers and email addresses have no place in
 * CloudWatch Logs, which far more people can read than the Klaxon config.
 */
import { LogFormatter, LogItem } from '@aws-lambda-powertools/logger';
import type { LogAttributes, UnformattedAttributes } from '@aws-lambda-powertools/logger/types';

// E.164 (what the config requires) and looser international forms such as "+1 555 010 0101".
const PHONE = /\+\d[\d\s().-]{6,}\d/g;
const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;

/** Keeps the last two digits (enough to tell two on-call phones apart) and the email's domain. */
export function maskContactDetails(text: string): string {
  return text
    .replace(EMAIL, (email) => `***@${email.slice(email.indexOf('@') + 1)}`)
    .replace(PHONE, (phone) => `+***${phone.replace(/\D/g, '').slice(-2)}`);
}

function maskDeep(value: unknown, seen: WeakSet<object>): unknown {
  if (typeof value === 'string') return maskContactDetails(value);
  if (value instanceof Error) {
    return {
      name: value.name,
      message: maskContactDetails(value.message),
      stack: maskContactDetails(value.stack ?? ''),
    };
  }
  if (typeof value !== 'object' || value === null) return value;
  if (seen.has(value)) return '[Circular]';
  seen.add(value);
  if (Array.isArray(value)) return value.map((item) => maskDeep(item, seen));
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, maskDeep(item, seen)]));
}

export function maskAttributes(attributes: LogAttributes): LogAttributes {
  return maskDeep(attributes, new WeakSet()) as LogAttributes;
}

export class MaskingLogFormatter extends LogFormatter {
  override formatAttributes(attributes: UnformattedAttributes, additionalLogAttributes: LogAttributes): LogItem {
    return new LogItem({
      attributes: {
        level: attributes.logLevel,
        message: maskContactDetails(attributes.message),
        timestamp: this.formatTimestamp(attributes.timestamp),
        service: attributes.serviceName,
        cold_start: attributes.lambdaContext?.coldStart,
        function_name: attributes.lambdaContext?.functionName,
        function_request_id: attributes.lambdaContext?.awsRequestId,
        xray_trace_id: attributes.xRayTraceId,
      },
    }).addAttributes(maskAttributes(additionalLogAttributes));
  }
}
