/**
 * A CloudWatch alarm notification as SNS delivers it: the `Message` of an SNS Notification is
 * this object as JSON text. Metric, metric-math, anomaly-detection and composite alarms share it
 * (metric math and anomaly detection list `Trigger.Metrics`; composites carry `AlarmRule`).
 * `Region` is a display name ("US East (N. Virginia)"): the region code comes from `AlarmArn`.
 */
import * as z from 'zod';
import { ALARM_STATES } from './cloudwatch-alarm-event.js';
import { ALARM_ARN } from './constants.js';

const dimension = z.looseObject({ name: z.string(), value: z.string() });

const metricQuery = z.looseObject({
  Id: z.string().optional(),
  Expression: z.string().optional(),
  Label: z.string().optional(),
  MetricStat: z
    .looseObject({
      Metric: z.looseObject({
        MetricName: z.string().optional(),
        Namespace: z.string().optional(),
        Dimensions: z.array(dimension).optional(),
      }),
    })
    .optional(),
});

export const cloudWatchSnsAlarmSchema = z.looseObject({
  AlarmName: z.string().min(1).max(255),
  AlarmDescription: z.string().max(1024).nullish(),
  AWSAccountId: z.string().optional(),
  NewStateValue: z.enum(ALARM_STATES),
  NewStateReason: z.string().max(4096).default(''),
  StateChangeTime: z.string().optional(),
  Region: z.string().optional(),
  AlarmArn: z
    .string()
    .regex(ALARM_ARN, 'must be a CloudWatch alarm ARN (arn:aws:cloudwatch:<region>:<account>:alarm:<name>)'),
  OldStateValue: z.string().optional(),
  Trigger: z
    .looseObject({
      MetricName: z.string().nullish(),
      Namespace: z.string().nullish(),
      Dimensions: z.array(dimension).nullish(),
      Metrics: z.array(metricQuery).nullish(),
      ThresholdMetricId: z.string().nullish(),
    })
    .nullish(),
  AlarmRule: z.string().nullish(),
  TriggeringChildren: z.array(z.looseObject({ Arn: z.string() })).nullish(),
});

export type CloudWatchSnsAlarm = z.infer<typeof cloudWatchSnsAlarmSchema>;
