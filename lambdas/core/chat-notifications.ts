/**
 * Incident lifecycle events as Amazon Q Developer in chat applications custom notifications: what
 * a Slack or Microsoft Teams channel shows, and what its Acknowledge and Resolve buttons read.
 * The shape is the documented one (https://docs.aws.amazon.com/chatbot/latest/adminguide/custom-notifs.html);
 * test/support/amazon-q-notification.ts transcribes it and the tests hold every rendering to it.
 */
import type { Incident } from './incident.js';
import { LIFECYCLE_DETAIL_TYPES, LIFECYCLE_EVENT_SOURCE, type LifecycleEvent } from './lifecycle-events.js';
import { cutText } from './sender-text.js';

/** A custom notification as Amazon Q reads it from the SNS message body. */
export interface ChatNotification {
  version: '1.0';
  source: 'custom';
  /** The lifecycle event's identity: a retried publish of the same event renders the same id. */
  id: string;
  content: {
    textType: 'client-markdown';
    title: string;
    description: string;
    nextSteps?: string[];
    keywords: string[];
  };
  metadata: {
    /** One thread per incident, in channels that thread notifications. */
    threadId: string;
    summary: string;
    eventType: string;
    relatedResources: string[];
    /** The buttons' variables (CHAT_ACTION_VARIABLES) are read from here. */
    additionalContext: Record<string, string>;
    enableCustomActions: boolean;
  };
}

/** `metadata.eventType` of every Klaxon notification: the buttons attach to this type only. */
export const CHAT_EVENT_TYPE = 'klaxon-incident';

/** The lifecycle events a channel hears about; pages and status-update reminders stay personal. */
export const CHAT_EVENT_PATTERN = {
  source: [LIFECYCLE_EVENT_SOURCE],
  'detail-type': [
    LIFECYCLE_DETAIL_TYPES.opened,
    LIFECYCLE_DETAIL_TYPES.acknowledged,
    LIFECYCLE_DETAIL_TYPES.escalated,
    LIFECYCLE_DETAIL_TYPES.resolved,
    LIFECYCLE_DETAIL_TYPES.reopened,
    LIFECYCLE_DETAIL_TYPES.reminded,
  ],
} as const;

/**
 * The buttons' variables and where Amazon Q finds them in a notification (the custom action's
 * `Variables`): the incident to act on, and its status and the notification's type, which decide
 * which buttons show.
 */
export const CHAT_ACTION_VARIABLES = {
  incidentId: 'event.metadata.additionalContext.incidentId',
  status: 'event.metadata.additionalContext.status',
  eventType: 'event.metadata.eventType',
} as const;

/** What a chat button asks the chat-action function to do. */
export const CHAT_ACTIONS = ['acknowledge', 'resolve'] as const;
export type ChatAction = (typeof CHAT_ACTIONS)[number];

/**
 * Who a chat button's press is recorded as. Amazon Q Developer passes a custom action only the
 * variables it extracts from the notification, and runs it under the channel's IAM role: nothing
 * in the invocation names the chat user, so Klaxon records the channel and CloudTrail's Lambda
 * data events hold the role session (docs/deploy.md, Chat).
 */
export const CHAT_ACTOR = 'chat';

/** The documented limits are loose; a chat message a person reads at 3 a.m. should not be. */
const TITLE_CHARS = 250;
const DESCRIPTION_CHARS = 3_000;

const SEVERITY_MARK: Record<Incident['severity'], string> = {
  SEV1: '\u{1F534}',
  SEV2: '\u{1F7E0}',
  SEV3: '\u{1F7E1}',
  SEV4: '\u26AA',
};

/**
 * How an incident is named in a chat title. The one place a short incident number goes when
 * incidents get one: `SEV1 #142 orders-api-5xx`.
 */
export function incidentHeadline(incident: LifecycleEvent['detail']['incident']): string {
  return `${incident.severity} #${incident.number} ${incident.title}`;
}

type Detail = LifecycleEvent['detail'];
type Rendered = { verb: string; who?: string; nextSteps?: string[] };

const str = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

/** What happened and who did it, per kind; undefined for events a channel does not hear about. */
function describe(detail: Detail): Rendered | undefined {
  const incident = detail.incident;
  switch (detail.kind) {
    case 'opened':
      return {
        verb: 'opened',
        nextSteps: ['Acknowledge if you are taking it', 'Post status updates on the incident'],
      };
    case 'reopened':
      return { verb: 'reopened: the alarm came back', nextSteps: ['Acknowledge if you are taking it'] };
    case 'acknowledged':
      return { verb: 'acknowledged', who: str(incident.acknowledgedBy) };
    case 'escalated': {
      const roles = Array.isArray(detail.roles) ? detail.roles.filter((role) => typeof role === 'string') : [];
      const to = roles.length > 0 ? ` to ${roles.join(', ')}` : '';
      return detail.manual === true
        ? { verb: `escalated by hand${to}`, who: str(detail.by) }
        : { verb: `escalated${to}: nobody stopped the ladder`, nextSteps: ['Acknowledge if you are taking it'] };
    }
    case 'resolved':
      return {
        verb: 'resolved',
        who: str(incident.resolvedBy),
        nextSteps: ['Write the post-mortem if the tier asks for one'],
      };
    case 'reminded':
      // Only the deadline itself is news to the channel; the day-before reminder is personal.
      if (detail.reminder !== 'postmortem' || detail.stage !== 'due') return undefined;
      return {
        verb: 'post-mortem due',
        who: str(detail.responder),
        nextSteps: ['Write the post-mortem, then mark it done on the incident'],
      };
    default:
      return undefined;
  }
}

/**
 * The notification a lifecycle event becomes, or undefined when channels do not hear about it.
 * `baseUrl` is Klaxon's HTTP API: the console's incident page and the incident's API resource
 * hang off it.
 */
export function chatNotification(detail: Detail, baseUrl: string): ChatNotification | undefined {
  const rendered = describe(detail);
  if (!rendered) return undefined;
  const { incident } = detail;
  const consoleUrl = `${baseUrl}/incidents/${encodeURIComponent(incident.id)}`;
  const apiUrl = `${baseUrl}/v1/incidents/${encodeURIComponent(incident.id)}`;
  const headline = incidentHeadline(incident);
  const title = cutText(`${SEVERITY_MARK[incident.severity]} ${headline} ${rendered.verb}`, TITLE_CHARS);
  // Plain text and bare links: one topic feeds Slack and Teams, whose markdown dialects differ.
  const lines = [
    `${incident.severity} on ${incident.service}, ${rendered.verb}${rendered.who ? ` by ${rendered.who}` : ''}`,
    `Status: ${incident.status} · opened ${incident.openedAt}${incident.drill ? ' · drill' : ''}`,
    `Console: ${consoleUrl}`,
    `Incident: ${apiUrl}`,
  ];
  const stillOpen = incident.status !== 'resolved';
  return {
    version: '1.0',
    source: 'custom',
    id: [detail.kind, incident.id, detail.at, detail.run, detail.step, detail.stage]
      .filter((part) => part !== undefined)
      .join(':'),
    content: {
      textType: 'client-markdown',
      title,
      description: cutText(lines.join('\n'), DESCRIPTION_CHARS),
      ...(rendered.nextSteps && stillOpen ? { nextSteps: rendered.nextSteps } : {}),
      keywords: [incident.severity, incident.service, incident.status, ...(incident.drill ? ['drill'] : [])],
    },
    metadata: {
      threadId: incident.id,
      summary: cutText(`${headline} ${rendered.verb}`, TITLE_CHARS),
      eventType: CHAT_EVENT_TYPE,
      relatedResources: [consoleUrl, apiUrl],
      additionalContext: { incidentId: incident.id, status: incident.status, severity: incident.severity },
      enableCustomActions: stillOpen,
    },
  };
}
