/**
 * The chat buttons' function: Amazon Q Developer's Acknowledge and Resolve custom actions invoke
 * it with `{"action", "incidentId"}`, under the channel's role, which may invoke nothing else. It
 * acknowledges or resolves, nothing more, and answers with a line the channel shows.
 */
import { CHAT_ACTOR, type ChatAction } from '../core/chat-notifications.js';
import { loadOnce } from '../core/load-once.js';
import { IncidentNotFoundError, TransitionRefusedError } from '../core/refusals.js';
import { acknowledgeIncident, resolveIncident } from '../core/responder-actions.js';
import type { HandlerDeps } from './deps.js';
import { describeValidation } from './validation.js';

const chatSchemas = loadOnce(() => import('../schemas/chat.js'));

export class InvalidChatActionError extends Error {
  override name = 'InvalidChatActionError';
}

export interface ChatActionResult {
  action: ChatAction;
  incidentId: string;
  /** Whether this press changed the incident (a second press, or a press after someone else's, does not). */
  changed: boolean;
  status?: string;
  message: string;
}

export const makeChatActionHandler =
  (deps: HandlerDeps) =>
  async (event: unknown): Promise<ChatActionResult> => {
    const { chatActionRequestSchema } = await chatSchemas();
    const parsed = chatActionRequestSchema.safeParse(event);
    if (!parsed.success) {
      throw new InvalidChatActionError(describeValidation('Not a Klaxon chat action', parsed.error, 'payload'));
    }
    const { action, incidentId } = parsed.data;
    try {
      const result =
        action === 'acknowledge'
          ? await acknowledgeIncident(deps, incidentId, CHAT_ACTOR)
          : await resolveIncident(deps, incidentId, CHAT_ACTOR, { refuseIfResolved: true });
      const { incident } = result;
      const message = result.changed
        ? `Incident ${incident.id} ${action === 'acknowledge' ? 'acknowledged' : 'resolved'} from chat`
        : `Incident ${incident.id} is ${incident.status}: ${result.reason ?? 'nothing to do'}`;
      deps.logger.info('Chat action', { action, incidentId, changed: result.changed });
      return { action, incidentId, changed: result.changed, status: incident.status, message };
    } catch (error) {
      if (error instanceof IncidentNotFoundError || error instanceof TransitionRefusedError) {
        return { action, incidentId, changed: false, message: error.message };
      }
      throw error;
    }
  };
