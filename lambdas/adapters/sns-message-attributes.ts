/**
 * The SNS message attribute that carries a page's channels. The pager sets it; each responder
 * subscription's filter policy (CDK) takes only its own channel. Kept free of the SNS SDK so the
 * CDK app can import it at synth.
 */
export const CHANNEL_ATTRIBUTE = 'channel';
