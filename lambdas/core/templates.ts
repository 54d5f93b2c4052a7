/**
 * Every message Klaxon sends, in one place, rendered per channel. The wording follows the
 * runbooks' communication templates: the initial alert (severity, summary, impact, detected time,
 * status, update cadence), the update (current status, actions taken, next steps, ETA) that a
 * status-update reminder asks for, and the resolution (summary, root cause, resolution, duration,
 * post-mortem date) that a post-mortem reminder starts from.
 */
import { alertGroupLines, type SenderContext } from './alert.js';
import type { Channel, Responder, Role, TierPolicy } from './config.js';
import { formatDuration } from './duration.js';
import { gsm7Length, SMS_MAX_SEGMENTS, SMS_SEGMENT_SEPTETS, smsCapacity, toGsm7, truncateGsm7 } from './gsm7.js';
import { type Incident, incidentRef } from './incident.js';
import type { EscalationStep } from './ladder.js';
import { oneLine, senderLines, subjectLine } from './sender-text.js';

export interface PageMessage {
  /** Printable ASCII, one line, under 100 characters (what SNS accepts as an email subject). */
  subject: string;
  /** GSM-7 text of at most SMS_MAX_SEGMENTS segments, or undefined when the step does not page by SMS. */
  sms?: string;
  /** Plain-text email body, or undefined when the step does not page by email. */
  email?: string;
  /** What a voice call says (plain text for text-to-speech), or undefined when the step does not call. */
  voice?: string;
}

export interface RenderContext {
  /** Base URL of the Klaxon API, for the acknowledge instructions. */
  apiBaseUrl: string;
  tier: TierPolicy;
  /** This responder's signed acknowledge link, when ack links are configured. */
  ackLink?: string;
  /** The deployment takes SMS replies (two-way SMS): a page SMS suggests replying. */
  smsReplies?: boolean;
}

/**
 * Bounds on what a sender's text may take of a message, whatever the alert holds. The SNS publish
 * carries the email twice (as the email body and as the default body) and must stay under 256 KB;
 * with these bounds the worst cases of test/unit/message-limits.test.ts make a 37 KB email and a
 * 75 KB publish. The incident keeps everything; the email says what it left out.
 */
export const MESSAGE_LIMITS = {
  titleChars: 1_000,
  summaryChars: 4_000,
  serviceChars: 200,
  detailKeyChars: 100,
  detailValueChars: 2_000,
  detailsShown: 100,
  detailsBlockChars: 20_000,
  handoffIncidentsListed: 50,
} as const;

const drillTag = (incident: Incident) => (incident.drill ? '[DRILL] ' : '');

const incidentUrl = (apiBaseUrl: string, incident: Incident, suffix = '') =>
  `${apiBaseUrl}/v1/incidents/${incident.number}${suffix}`;

const title = (incident: Incident) => oneLine(incident.title, MESSAGE_LIMITS.titleChars);
const service = (incident: Incident) => oneLine(incident.service, MESSAGE_LIMITS.serviceChars);

export function renderSubject(incident: Incident): string {
  return subjectLine(
    `${drillTag(incident)}[${incident.severity}] ${incident.title}`,
    ` (incident ${incidentRef(incident)})`,
  );
}

/**
 * The SMS reply that acknowledges, as a page suggests it: the short form of `ACK 142`, typed on a
 * lock screen (lambdas/core/sms-replies.ts reads both).
 */
export const ackReply = (incident: Pick<Incident, 'number'>) => `A${incident.number}`;

/**
 * How a page SMS says to acknowledge: by reply when the deployment takes replies (from the lock
 * screen, and far shorter than a link: the email still carries the link), else by link, else by
 * the CLI.
 */
function smsAckTail(incident: Incident, ackLink: string | undefined, smsReplies: boolean | undefined): string {
  if (smsReplies) return ` Ack: reply ${ackReply(incident)}`;
  return ackLink ? ` Ack: ${ackLink}` : ` Ack: klaxon ack ${incident.number}`;
}

/**
 * Below this, an SMS's text is unreadable: a long ack link takes another segment instead. The
 * number names the incident, so the title only has to say what it is about.
 */
const MIN_TEXT_SEPTETS = 15;
/** However long the title, the page SMS keeps this much of the summary (the why) when it has room. */
const MIN_SUMMARY_SEPTETS = 40;

/**
 * An SMS: a head (what happened) and a tail (what to do) that are never cut, and the sender's
 * text between them, cut to what is left. One segment when that leaves the text
 * MIN_TEXT_SEPTETS; more, up to SMS_MAX_SEGMENTS, when a long ack link would not.
 */
function fitSms(head: string, tail: string, text: (room: number) => string): string {
  const prefix = toGsm7(head);
  const end = toGsm7(tail);
  const fixed = gsm7Length(prefix) + gsm7Length(end);
  let segments = 1;
  while (segments < SMS_MAX_SEGMENTS && fixed + MIN_TEXT_SEPTETS > smsCapacity(segments)) segments += 1;
  const room = Math.max(0, smsCapacity(segments) - fixed);
  return `${prefix}${truncateGsm7(text(room), room)}${end}`;
}

const URL_IN_TEXT = /\b[a-z][a-z0-9+.-]*:\/\/\S*/giu;

/**
 * A sender's text as an SMS carries it: one line of GSM-7, with its links and any "Ack:" of its
 * own defused, so that the ack link Klaxon puts last is the only link and the only "Ack:".
 */
function smsText(text: string): string {
  return toGsm7(
    oneLine(text, 400)
      .replace(URL_IN_TEXT, '[link]')
      .replace(/\back\s*:/giu, 'ack'),
  );
}

/** The title and the summary, said once when one repeats the other (Events v2 sends one text for both). */
function titleAndSummary(incident: Incident): { title: string; summary?: string } {
  const said = (text: string) => oneLine(text, 400).toLowerCase();
  const [t, s] = [said(incident.title), said(incident.summary)];
  if (s === '' || t.includes(s)) return { title: incident.title };
  if (s.includes(t)) return { title: incident.summary };
  return { title: incident.title, summary: incident.summary };
}

/**
 * The page SMS: severity, title, summary, then how to acknowledge. The acknowledgement is never
 * cut; the summary gives way first, then the title.
 */
export function renderSms(incident: Incident, step: EscalationStep, ackLink?: string, smsReplies?: boolean): string {
  const escalation =
    step.reason === 'reassigned' ? ' ASSIGNED TO YOU' : step.index > 0 || step.reason ? ' ESCALATED' : '';
  const said = titleAndSummary(incident);
  return fitSms(
    `${drillTag(incident)}${incident.severity}${escalation} ${incidentRef(incident)} `,
    smsAckTail(incident, ackLink, smsReplies),
    (room) => {
      const head = smsText(said.title);
      if (said.summary === undefined) return head;
      // The title keeps at least half the room: on a short budget, what broke matters more than why.
      const cutTitle = truncateGsm7(head, Math.max(Math.ceil(room / 2), room - MIN_SUMMARY_SEPTETS - 2));
      return `${cutTitle}: ${truncateGsm7(smsText(said.summary), Math.max(0, room - gsm7Length(cutTitle) - 2))}`;
    },
  );
}

/** However long the title, a call reads this much of it: a listener cannot skim. */
const VOICE_TITLE_CHARS = 300;

/** A sender's text as a call says it: one line, links not read out letter by letter. */
const spokenText = (text: string) => oneLine(text, VOICE_TITLE_CHARS).replace(URL_IN_TEXT, 'a link');

/**
 * The page call's text, from the same fields as the page SMS (renderSms): severity, title, then
 * how to acknowledge, said twice so that someone woken by the first words still hears it. The
 * incident id is not read out: nobody can take down 26 letters from a call.
 */
export function renderVoice(incident: Incident, step: EscalationStep, ackLink?: string, smsReplies?: boolean): string {
  const escalation =
    step.reason === 'reassigned' ? ', assigned to you' : step.index > 0 || step.reason ? ', escalated' : '';
  const severity = `Severity ${incident.severity.slice(3)} incident number ${incident.number}${escalation}`;
  const what = `${severity}: ${spokenText(titleAndSummary(incident).title)}.`;
  const how = smsReplies
    ? `To acknowledge, reply A ${incident.number} to the text message Klaxon sent you.`
    : ackLink
      ? 'To acknowledge, open the acknowledge link in the text message or email Klaxon sent you.'
      : `To acknowledge, run klaxon ack ${incident.number}.`;
  return [`This is Klaxon${incident.drill ? ', with a drill' : ''}.`, what, how, `Again: ${what}`, how].join(' ');
}

/** Starts the part of an email that is the sender's: no line the sender wrote can look like it. */
export const SENDER_FENCE = '---- The alert as its sender wrote it (each line of theirs starts with "> ") ----';

/** A labelled value of the sender's, quoted: continuation lines indented under the label. */
function quoted(label: string, text: string, max: number, indent = ''): string[] {
  const [first = '', ...rest] = senderLines(text, max);
  return [`> ${indent}${label}: ${first}`, ...rest.map((line) => `> ${indent}  ${line}`)];
}

/**
 * Everything the sender wrote, bounded: each detail value, the number of details and the block
 * as a whole. What is left out is counted, and the incident holds it all.
 */
function alertAsSent(incident: Incident, apiBaseUrl: string): string[] {
  const said = titleAndSummary(incident);
  const lines = [SENDER_FENCE, `> Summary: ${title(incident)}`];
  // The email says the summary unless the title already does (the SMS also drops the title when the summary holds it).
  if (said.summary !== undefined || said.title !== incident.title) {
    lines.push(...quoted('Reason', incident.summary, MESSAGE_LIMITS.summaryChars));
  }
  lines.push(`> Service: ${service(incident)}`);
  const details = Object.entries(incident.details);
  const detailLines: string[] = [];
  let room: number = MESSAGE_LIMITS.detailsBlockChars;
  let shown = 0;
  let cutShort = 0;
  for (const [key, value] of details) {
    if (shown === MESSAGE_LIMITS.detailsShown) break;
    const entry = quoted(oneLine(key, MESSAGE_LIMITS.detailKeyChars), value, MESSAGE_LIMITS.detailValueChars, '  ');
    const size = entry.reduce((total, line) => total + line.length + 1, 0);
    if (size > room) break;
    room -= size;
    detailLines.push(...entry);
    shown += 1;
    if (value.trim().length > MESSAGE_LIMITS.detailValueChars) cutShort += 1;
  }
  if (details.length > 0) lines.push('> Details:', ...detailLines);
  lines.push(...senderContextLines(incident.context));
  if (incident.alertGroup) {
    // Klaxon's counts, but the sender's labels and summaries: quoted like the rest of its text.
    lines.push(
      ...alertGroupLines(incident.alertGroup).map((line) => {
        const indent = line.startsWith('  ') ? '  ' : '';
        return `> ${indent}${oneLine(line, MESSAGE_LIMITS.detailValueChars)}`;
      }),
    );
  }
  const left = details.length - shown;
  const missing = [
    ...(left > 0 ? [`${left} more detail${left === 1 ? '' : 's'} not shown`] : []),
    ...(cutShort > 0 ? [`${cutShort} value${cutShort === 1 ? '' : 's'} truncated`] : []),
  ];
  if (missing.length > 0) {
    lines.push(
      '',
      `... ${missing.join(', ')} to fit this email. See the incident: klaxon show ${incident.number} (or GET ${incidentUrl(apiBaseUrl, incident)}).`,
    );
  }
  return lines;
}

/**
 * The page email. Klaxon's part (the facts it decided, how to acknowledge) comes first; the
 * sender's text comes last, after a fence, each of its lines quoted: a sender cannot write a
 * line that reads as Klaxon's.
 */
export function renderEmail(incident: Incident, step: EscalationStep, context: RenderContext): string {
  const ackUrl = incidentUrl(context.apiBaseUrl, incident, '/acknowledge');
  const updateEvery = context.tier.statusUpdateEvery;
  const lines = [
    `${drillTag(incident)}${emailHeadline(step)}`,
    '',
    `Severity: ${incident.severity} (${context.tier.description})`,
    `Incident: ${incidentRef(incident)} (id ${incident.id})`,
    `Detected: ${incident.openedAt}`,
    `Status: ${incident.status === 'open' ? 'Investigating' : incident.status}`,
    '',
    'To acknowledge (stops the escalation to the next person):',
    ...(context.ackLink ? [`  open ${context.ackLink} (link valid 24 h, for you only)`] : []),
    ...(context.smsReplies ? [`  reply ${ackReply(incident)} (or ACK ${incident.number}) to the page SMS`] : []),
    `  klaxon ack ${incident.number}`,
    `  or POST ${ackUrl} (signed with your AWS credentials when Klaxon runs on AWS)`,
    '',
    `Acknowledge within ${context.tier.ackTarget}.${updateEvery ? ` Post a status update every ${updateEvery} while it is open.` : ''}`,
    '',
    ...alertAsSent(incident, context.apiBaseUrl),
  ];
  return lines.join('\n');
}

/** The sending tool and the links it attached, quoted like the rest of the sender's text. */
function senderContextLines(context: SenderContext | undefined): string[] {
  if (!context) return [];
  const client = [context.client, context.clientUrl].filter(Boolean).join(' ');
  return [
    ...(client ? [`> Sent by: ${oneLine(client, 2400)}`] : []),
    ...(context.links ?? []).map(
      (link) => `> Link: ${oneLine(link.text ? `${link.text} ${link.href}` : link.href, 2400)}`,
    ),
    ...(context.images ?? []).map(
      (image) => `> Image: ${oneLine(image.alt ? `${image.alt} ${image.src}` : image.src, 2400)}`,
    ),
  ];
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
  /** The team whose role it is; named only where there are several. */
  team?: string;
  /** ISO-8601 UTC, and the same in the rotation's time zone for people. */
  until?: string;
  untilLocal?: string;
  /** The unresolved incidents they now hold, oldest first. */
  incidents: Incident[];
}

/** The on-call handoff: email with the open incidents listed (the oldest, up to a bound); SMS in one segment. */
export function renderHandoff(context: HandoffContext): PageMessage {
  const { incidents } = context;
  const role = context.team ? `${context.team} ${context.role}` : context.role;
  const until = context.untilLocal ?? context.until;
  const count = incidents.length === 1 ? '1 open incident' : `${incidents.length} open incidents`;
  const sms = toGsm7(
    `Klaxon: you are now ${role} on call${until ? ` until ${until}` : ''}. ${count}${incidents.length > 0 ? ': klaxon list' : '.'}`,
  );
  const unlisted = incidents.length - MESSAGE_LIMITS.handoffIncidentsListed;
  const listed = incidents
    .slice(0, MESSAGE_LIMITS.handoffIncidentsListed)
    .map(
      (incident) =>
        `  ${incidentRef(incident)} ${incident.severity} ${oneLine(incident.title, 120)} (${incident.status}, opened ${incident.openedAt}) - klaxon show ${incident.number}`,
    );
  const email = [
    `Hello ${context.responder.name},`,
    '',
    `You are now on call as ${role}${until ? ` until ${until}${context.until && context.untilLocal ? ` (${context.until})` : ''}` : ''}.`,
    'Pages for this role come to you from now on.',
    '',
    incidents.length > 0 ? `You now hold ${count}:` : 'There are no open incidents for you right now.',
    ...listed,
    ...(unlisted > 0 ? [`  ... and ${unlisted} more: klaxon list`] : []),
    '',
    'See who is on call: klaxon oncall (or GET /v1/oncall).',
  ].join('\n');
  return {
    subject: subjectLine(`[Klaxon] You are now ${role} on call${incidents.length > 0 ? ` (${count})` : ''}`),
    sms: truncateGsm7(sms, SMS_SEGMENT_SEPTETS),
    email,
  };
}

export function renderPage(incident: Incident, step: EscalationStep, context: RenderContext): PageMessage {
  return {
    subject: renderSubject(incident),
    sms: step.channels.includes('sms') ? renderSms(incident, step, context.ackLink, context.smsReplies) : undefined,
    email: step.channels.includes('email') ? renderEmail(incident, step, context) : undefined,
    voice: step.channels.includes('voice')
      ? renderVoice(incident, step, context.ackLink, context.smsReplies)
      : undefined,
  };
}

/** HH:MM (UTC), as the runbooks' update and resolution headings have it. */
const clock = (at: string) => `${at.slice(11, 16)} UTC`;

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
  const subject = subjectLine(
    `${drillTag(incident)}[${incident.severity}] Status update due: ${incident.title}`,
    ` (incident ${incidentRef(incident)})`,
  );
  const sms = fitSms(
    `${drillTag(incident)}${incident.severity} ${incidentRef(incident)} UPDATE DUE (${quiet} quiet) `,
    ` Post: klaxon note ${incident.number} "..."`,
    () => smsText(incident.title),
  );
  const email = [
    `${drillTag(incident)}STATUS UPDATE DUE`,
    '',
    `${incident.severity} incident ${incidentRef(incident)} is ${incident.status === 'open' ? 'still unacknowledged' : incident.status}, and nothing has been posted for ${quiet}.`,
    `The ${incident.severity} policy asks for a status update every ${every} until it is resolved.`,
    '',
    `Summary: ${title(incident)}`,
    `Service: ${service(incident)}`,
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
    `  klaxon note ${incident.number} "<the update>"`,
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
    subject: subjectLine(
      `${drillTag(incident)}[${incident.severity}] Post-mortem ${when}: ${incident.title}`,
      ` (incident ${incidentRef(incident)})`,
    ),
    email: [
      `${drillTag(incident)}POST-MORTEM ${reminder.stage === 'due' ? 'DUE NOW' : 'REMINDER'}`,
      '',
      `The post-mortem of ${incident.severity} incident ${incidentRef(incident)} ${when} (${context.tier.postmortemDue} after its resolution).`,
      '',
      `RESOLVED [${clock(resolvedAt)}]`,
      '',
      `Summary: ${title(incident)}`,
      `Root Cause: <Why it happened>`,
      `Resolution: ${incident.resolvedBy ? `resolved by ${oneLine(incident.resolvedBy, 200)}` : '<How we fixed it>'}`,
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
  const by = incident.resolvedBy ? ` by ${oneLine(incident.resolvedBy, 200)}` : '';
  const postmortem = notice.postmortemDueAt
    ? notice.postmortemDueAt
    : context.tier.postmortemDue === 'optional'
      ? `optional for ${incident.severity}`
      : `not needed for ${incident.severity}`;
  const sms = fitSms(
    `${drillTag(incident)}${incident.severity} RESOLVED after ${lasted}${by.slice(0, 40)}: `,
    ` (${incidentRef(incident)})`,
    () => smsText(incident.title),
  );
  const email = [
    `${drillTag(incident)}INCIDENT RESOLVED`,
    '',
    `RESOLVED [${clock(resolvedAt)}]`,
    '',
    `Summary: ${title(incident)}`,
    `Service: ${service(incident)}`,
    'Root Cause: <in the post-mortem>',
    `Resolution: resolved${by}`,
    `Duration: ${lasted} (detected ${incident.openedAt}, resolved ${resolvedAt})`,
    '',
    `Post-mortem will be completed by: ${postmortem}`,
    '',
    `Timeline: klaxon show ${incident.number}`,
    `  or GET ${incidentUrl(context.apiBaseUrl, incident)}`,
    '',
    'You get this because you were paged for this incident. Nothing more is needed from you unless it reopens.',
  ].join('\n');
  return {
    subject: subjectLine(
      `${drillTag(incident)}[${incident.severity}] RESOLVED: ${incident.title}`,
      ` (incident ${incidentRef(incident)})`,
    ),
    sms: notice.channels.includes('sms') ? sms : undefined,
    email: notice.channels.includes('email') ? email : undefined,
  };
}
