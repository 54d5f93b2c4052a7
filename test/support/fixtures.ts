/** The realistic payloads in test/fixtures (CloudWatch via SNS and EventBridge, Events v2, Alertmanager, bad inputs). */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const fixturePath = (name: string) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));
export const fixtureText = (name: string) => readFileSync(fixturePath(name), 'utf8');
export const fixture = <T = Record<string, unknown>>(name: string): T => JSON.parse(fixtureText(name)) as T;
