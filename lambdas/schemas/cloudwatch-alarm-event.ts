/**
 * "CloudWatch Alarm State Change" as EventBridge delivers it (metric, metric-math, anomaly
 * detection and composite alarms share this shape; composites carry no metrics).
 */
import * as z from 'zod';

export const ALARM_STATES = ['ALARM', 'OK', 'INSUFFICIENT_DATA'] as const;

const alarmState = z.looseObject({
  value: z.enum(ALARM_STATES),
  reason: z.string().default(''),
  timestamp: z.string().optional(),
});

const metricStat = z.looseObject({
  metric: z.looseObject({
    namespace: z.string().optional(),
    name: z.string().optional(),
    dimensions: z.record(z.string(), z.string()).optional(),
  }),
  period: z.number().optional(),
  stat: z.string().optional(),
});

export const cloudWatchAlarmEventSchema = z.looseObject({
  id: z.string().min(1),
  'detail-type': z.literal('CloudWatch Alarm State Change'),
  source: z.literal('aws.cloudwatch'),
  account: z.string(),
  time: z.string(),
  region: z.string(),
  resources: z.array(z.string()).default([]),
  detail: z.looseObject({
    alarmName: z.string().min(1),
    state: alarmState,
    previousState: alarmState.optional(),
    configuration: z
      .looseObject({
        description: z.string().nullish(),
        metrics: z
          .array(
            z.looseObject({
              id: z.string().optional(),
              metricStat: metricStat.optional(),
              expression: z.string().optional(),
            }),
          )
          .optional(),
        alarmRule: z.string().optional(),
      })
      .default({}),
  }),
});

export type CloudWatchAlarmEvent = z.infer<typeof cloudWatchAlarmEventSchema>;

/** The EventBridge rule pattern that routes alarm state changes to intake (CDK and the local stand-in share it). */
export const ALARM_STATE_CHANGE_PATTERN = {
  source: ['aws.cloudwatch'],
  'detail-type': ['CloudWatch Alarm State Change'],
};
