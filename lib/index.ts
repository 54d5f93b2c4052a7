/**
 * What the package exports: the Klaxon construct, its props, and the pieces a team may want to
 * reference from its own stack (the config loader, the constructs Klaxon exposes as properties).
 */
export type { KlaxonConfigInput } from '../lambdas/core/config.js';
export { ConfigError } from '../lambdas/core/config.js';
export { AckSigningKey } from './ack-signing.js';
export { AlarmTopic, CLOUDWATCH_ALERT_PATH } from './alarm-topic.js';
export { AlertIntake } from './alert-intake.js';
export {
  type ChatChannels,
  ChatChannelsError,
  KlaxonChat,
  type SlackChatChannel,
  type TeamsChatChannel,
} from './chat.js';
export { DEFAULT_CONFIG_FILE, DEPLOY_CONFIG_FILE, type LoadedConfig, loadConfigFile } from './config-file.js';
export { EscalationWorkflows } from './escalation.js';
export { IncidentEventBus } from './events.js';
export { type HealthSubscribers, KlaxonHealth } from './health.js';
export { DEFAULT_ROUTE_THROTTLES, KlaxonHttpApi } from './http-api.js';
export { IncidentManagement } from './incident-management.js';
export { IncidentStore } from './incident-store.js';
export { Klaxon, type KlaxonProps, KlaxonPropsError } from './klaxon.js';
export { KlaxonStack, type KlaxonStackProps } from './klaxon-stack.js';
export { ResponderPaging } from './paging.js';
