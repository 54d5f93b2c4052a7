/**
 * Every message Klaxon sends, in one place, rendered per channel. The wording follows the
 * runbooks' communication templates: the initial alert (severity, summary, impact, detected time,
 * status, update cadence), the update (current status, actions taken, next steps, ETA) that a
 * status-update reminder asks for, and the resolution (summary, root cause, resolution, duration,
 * post-mortem date) that a post-mortem reminder starts from.
 */
import { alertGroupLines } from './alert.js';
import type { Channel, Responder, Role, TierPolicy } from './config.js';
import { formatDuration } from './duration.js';
import { gsm7Length, SMS_SEGMENT_SEPTETS, toGsm7, truncateGsm7 } from './gsm7.js';
import type { Incident } from './incident.js';
import type { EscalationStep } from './ladder.js';

export interface PageMessage {
  subject: string;
  /** One GSM-7 segment, or undefined when the step does not page by SMS. */
  sms?: string;
  /** Plain-text email body, or undefined when the step does not page by email. */
  email?: string;
}

export interface RenderContext {
  /** Base URL of the Klaxon API, for the acknowledge instructions. */
  apiBaseUrl: string;
  tier: TierPolicy;
  /** This responder's signed acknowledge link, when ack links are configured. */
  ackLink?: string;
}

const drillTag = (incident: Incident) => (incident.drill ? '[DRILL] ' : '');

/** Email subjects are single-line; strip control characters a hostile alarm name could carry. */
function oneLine(text: string, max: number): string {
  const flat = text.replace(/\p{Cc}+/gu, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

export function renderSubject(incident: Incident): string {
  return oneLine(`${drillTag(incident)}[${incident.severity}] ${incident.title} (incident ${incident.id})`, 100);
}

/**
 * The SMS: severity, title, summary, then how to acknowledge, within one 160-septet segment.
 * The acknowledgement hint is never cut; the summary gives way first, then the title.
 */
export function renderSms(incident: Incident, step: EscalationStep, ackLink?: string): string {
  const escalation =
    step.reason === 'reassigned' ? ' ASSIGNED TO YOU' : step.index > 0 || step.reason ? ' ESCALATED' : '';
  const prefix = toGsm7(`${drillTag(incident)}${incident.severity}${escalation} `);
  const ack = toGsm7(ackLink ? ` Ack: ${ackLink}` : ` Ack: klaxon ack ${incident.id}`);
  const forText = SMS_SEGMENT_SEPTETS - gsm7Length(prefix) - gsm7Length(ack);
  const title = truncateGsm7(toGsm7(oneLine(incident.title, 400)), Math.max(10, forText - MIN_SUMMARY_SEPTETS - 2));
  const room = forText - gsm7Length(title) - 2;
  const summary = truncateGsm7(toGsm7(oneLine(incident.summary, 400)), Math.max(0, room));
  return truncateGsm7(`${prefix}${title}: ${summary}`, SMS_SEGMENT_SEPTETS - gsm7Length(ack)) + ack;
}

/** However long the title, the SMS keeps this much of the summary (the why). */
const MIN_SUMMARY_SEPTETS = 40;

export function renderEmail(incident: Incident, step: EscalationStep, context: RenderContext): string {
  const ackUrl = `${context.apiBaseUrl}/v1/incidents/${encodeURIComponent(incident.id)}/acknowledge`;
  const updateEvery = context.tier.statusUpdateEvery;
  const detailLines = Object.entries(incident.details).map(([key, value]) => `  ${key}: ${value}`);
  const lines = [
    `${drillTag(incident)}${emailHeadline(step)}`,
    '',
    `Severity: ${incident.severity} (${context.tier.description})`,
    `Summary: ${incident.title}`,
    `Reason: ${incident.summary}`,
    `Service: ${incident.service}`,
    `Detected: ${incident.openedAt}`,
    `Incident: ${incident.id}`,
    `Status: ${incident.status === 'open' ? 'Investigating' : incident.status}`,
    ...(incident.alertGroup ? ['', ...alertGroupLines(incident.alertGroup)] : []),
    ...(detailLines.length > 0 ? ['', 'Details:', ...detailLines] : []),
    '',
    'To acknowledge (stops the escalation to the next person):',
    ...(context.ackLink ? [`  open ${context.ackLink} (link valid 24 h, for you only)`] : []),
    `  klaxon ack ${incident.id}`,
    `  or POST ${ackUrl} (signed with your AWS credentials when Klaxon runs on AWS)`,
    '',
    `Acknowledge within ${context.tier.ackTarget}.${updateEvery ? ` Post a status update every ${updateEvery} while it is open.` : ''}`,
  ];
  return lines.join('\n');
}

function emailHeadline(step: EscalationStep): string {
  const loop = step.loop ? `, repeat ${step.loop} of the ladder: nobody has acknowledged` : '';
  switch (step.reason) {
    case 'reassigned':
      return 'INCIDENT ASSIGNED TO YOU';
    case 'escalated':
      return `INCIDENT ESCALATED BY HAND (escalation step ${step.index + 1})`;
    case 'severity-raised':
      return `INCIDENT SEVERITY RAISED (escalation step ${step.index + 1})`;
    default:
      return `INCIDENT DETECTED${step.index > 0 ? ` (escalation step ${step.index + 1}${loop})` : ''}`;
  }
}

export interface HandoffContext {
  responder: Responder;
  role: Role;
  /** ISO-8601 UTC, and the same in the rotation's time zone for people. */
  until?: string;
  untilLocal?: string;
  /** The unresolved incidents they now hold, oldest first. */
  incidents: Incident[];
}

/** The on-call handoff: email with the open incidents listed; SMS in one segment. */
export function renderHandoff(context: HandoffContext): PageMessage {
  const { role, incidents } = context;
  const until = context.untilLocal ?? context.until;
  const count = incidents.length === 1 ? '1 open incident' : `${incidents.length} open incidents`;
  const smsText = toGsm7(
    `Klaxon: you are now ${role} on call${until ? ` until ${until}` : ''}. ${count}${incidents.length > 0 ? ': klaxon list' : '.'}`,
  );
  const listed = incidents.map(
    (incident) =>
      `  ${incident.severity} ${oneLine(incident.title, 120)} (${incident.status}, opened ${incident.openedAt}) - klaxon show ${incident.id}`,
  );
  const email = [
    `Hello ${context.responder.name},`,
    '',
    `You are now on call as ${role}${until ? ` until ${until}${context.until && context.untilLocal ? ` (${context.until})` : ''}` : ''}.`,
    'Pages for this role come to you from now on.',
    '',
    incidents.length > 0 ? `You now hold ${count}:` : 'There are no open incidents for you right now.',
    ...listed,
    '',
    'See who is on call: klaxon oncall (or GET /v1/oncall).',
  ].join('\n');
  return {
    subject: oneLine(`[Klaxon] You are now ${role} on call${incidents.length > 0 ? ` (${count})` : ''}`, 100),
    sms: truncateGsm7(smsText, SMS_SEGMENT_SEPTETS),
    email,
  };
}

export function renderPage(incident: Incident, step: EscalationStep, context: RenderContext): PageMessage {
  return {
    subject: renderSubject(incident),
    sms: step.channels.includes('sms') ? renderSms(incident, step, context.ackLink) : undefined,
    email: step.channels.includes('email') ? renderEmail(incident, step, context) : undefined,
  };
}

/** HH:MM (UTC), as the runbooks' update and resolution headings have it. */
const clock = (at: string) => `${at.slice(11, 16)} UTC`;

const incidentUrl = (apiBaseUrl: string, incident: Incident, suffix = '') =>
  `${apiBaseUrl}/v1/incidents/${encodeURIComponent(incident.id)}${suffix}`;

/** An SMS of one segment: a fixed tail (what to do) is never cut; the title gives way. */
function fitSms(head: string, title: string, tail: string): string {
  const prefix = toGsm7(head);
  const end = toGsm7(tail);
  const room = SMS_SEGMENT_SEPTETS - gsm7Length(prefix) - gsm7Length(end);
  return `${prefix}${truncateGsm7(toGsm7(oneLine(title, 400)), Math.max(0, room))}${end}`;
}

export interface StatusUpdateReminder {
  /** When the last status update (or acknowledgement, or reminder) was: what the reminder counts from. */
  lastUpdateAt: string;
  now: string;
  channels: Channel[];
}

/**
 * "Time for a status update": the runbooks' update template, for the person working the incident
 * to fill in and post as a note. The SMS says how long it has been and how to post.
 */
export function renderStatusUpdateReminder(
  incident: Incident,
  reminder: StatusUpdateReminder,
  context: RenderContext,
): PageMessage {
  const every = context.tier.statusUpdateEvery ?? 'regularly';
  const quiet = formatDuration((Date.parse(reminder.now) - Date.parse(reminder.lastUpdateAt)) / 1000);
  const notesUrl = incidentUrl(context.apiBaseUrl, incident, '/notes');
  const subject = oneLine(
    `${drillTag(incident)}[${incident.severity}] Status update due: ${incident.title} (incident ${incident.id})`,
    100,
  );
  const sms = fitSms(
    `${drillTag(incident)}${incident.severity} UPDATE DUE (${quiet} quiet) `,
    incident.title,
    ` Post: klaxon note ${incident.id} "..."`,
  );
  const email = [
    `${drillTag(incident)}STATUS UPDATE DUE`,
    '',
    `${incident.severity} incident ${incident.id} is ${incident.status === 'open' ? 'still unacknowledged' : incident.status}, and nothing has been posted for ${quiet}.`,
    `The ${incident.severity} policy asks for a status update every ${every} until it is resolved.`,
    '',
    `Summary: ${incident.title}`,
    `Service: ${incident.service}`,
    `Detected: ${incident.openedAt}`,
    `Last update: ${reminder.lastUpdateAt}`,
    '',
    "Post an update (the runbooks' template):",
    '',
    `  UPDATE [${clock(reminder.now)}]`,
    '',
    '  Current Status: <Investigating|Mitigating|Resolved>',
    "  Actions Taken: <What we've done>",
    "  Next Steps: <What we're doing next>",
    '  ETA: <Best estimate>',
    '',
    'How:',
    `  klaxon note ${incident.id} "<the update>"`,
    `  or POST ${notesUrl} with {"message": "<the update>"}`,
    '',
    'Each update pushes the next reminder back; resolving the incident stops them.',
  ].join('\n');
  return {
    subject,
    sms: reminder.channels.includes('sms') ? sms : undefined,
    email: reminder.channels.includes('email') ? email : undefined,
  };
}

export type PostmortemReminderStage = 'before-due' | 'due';

export interface PostmortemReminder {
  stage: PostmortemReminderStage;
  /** When the post-mortem is due (resolution time plus the tier's postmortemDue). */
  dueAt: string;
}

/**
 * "The post-mortem is due": the runbooks' resolution template filled with what Klaxon knows (the
 * summary, the duration, the date the post-mortem is due by), and how to close it. Email only:
 * it is not urgent enough to ring a phone.
 */
export function renderPostmortemReminder(
  incident: Incident,
  reminder: PostmortemReminder,
  context: RenderContext,
): PageMessage {
  const when = reminder.stage === 'due' ? 'is due now' : `is due by ${reminder.dueAt}`;
  const resolvedAt = incident.resolvedAt ?? reminder.dueAt;
  const lasted = formatDuration((Date.parse(resolvedAt) - Date.parse(incident.openedAt)) / 1000);
  const postmortemUrl = incidentUrl(context.apiBaseUrl, incident, '/postmortem');
  return {
    subject: oneLine(`${drillTag(incident)}[${incident.severity}] Post-mortem ${when}: ${incident.title}`, 100),
    email: [
      `${drillTag(incident)}POST-MORTEM ${reminder.stage === 'due' ? 'DUE NOW' : 'REMINDER'}`,
      '',
      `The post-mortem of ${incident.severity} incident ${incident.id} ${when} (${context.tier.postmortemDue} after its resolution).`,
      '',
      `RESOLVED [${clock(resolvedAt)}]`,
      '',
      `Summary: ${incident.title}`,
      `Root Cause: <Why it happened>`,
      `Resolution: ${incident.resolvedBy ? `resolved by ${incident.resolvedBy}` : '<How we fixed it>'}`,
      `Duration: ${lasted}`,
      '',
      `Post-mortem will be completed by: ${reminder.dueAt}`,
      '',
      'Start from the draft (timeline filled in):',
      `  GET ${postmortemUrl}`,
      'When it is written, mark it done (stops these reminders):',
      `  POST ${postmortemUrl} with {"url": "<where it lives>"}`,
    ].join('\n'),
  };
}

export interface ResolutionNotice {
  /** The channels the person was paged on: the notice reaches them the same way. */
  channels: Channel[];
  /** When the post-mortem is due, when the tier sets a deadline. */
  postmortemDueAt?: string;
}

/**
 * "It is over": the runbooks' resolution template, to everyone who was paged, so nobody keeps
 * working (or stays awake for) an incident someone else resolved.
 */
export function renderResolutionNotice(
  incident: Incident,
  notice: ResolutionNotice,
  context: RenderContext,
): PageMessage {
  const resolvedAt = incident.resolvedAt ?? incident.openedAt;
  const lasted = formatDuration((Date.parse(resolvedAt) - Date.parse(incident.openedAt)) / 1000);
  const by = incident.resolvedBy ? ` by ${incident.resolvedBy}` : '';
  const postmortem = notice.postmortemDueAt
    ? notice.postmortemDueAt
    : context.tier.postmortemDue === 'optional'
      ? `optional for ${incident.severity}`
      : `not needed for ${incident.severity}`;
  const sms = fitSms(
    `${drillTag(incident)}${incident.severity} RESOLVED after ${lasted}${by.slice(0, 40)}: `,
    incident.title,
    ` (${incident.id})`,
  );
  const email = [
    `${drillTag(incident)}INCIDENT RESOLVED`,
    '',
    `RESOLVED [${clock(resolvedAt)}]`,
    '',
    `Summary: ${incident.title}`,
    `Service: ${incident.service}`,
    'Root Cause: <in the post-mortem>',
    `Resolution: resolved${by}`,
    `Duration: ${lasted} (detected ${incident.openedAt}, resolved ${resolvedAt})`,
    '',
    `Post-mortem will be completed by: ${postmortem}`,
    '',
    `Timeline: klaxon show ${incident.id}`,
    `  or GET ${incidentUrl(context.apiBaseUrl, incident)}`,
    '',
    'You get this because you were paged for this incident. Nothing more is needed from you unless it reopens.',
  ].join('\n');
  return {
    subject: oneLine(
      `${drillTag(incident)}[${incident.severity}] RESOLVED: ${incident.title} (incident ${incident.id})`,
      100,
    ),
    sms: notice.channels.includes('sms') ? sms : undefined,
    email: notice.channels.includes('email') ? email : undefined,
  };
}
