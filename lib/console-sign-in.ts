/**
 * Console sign-in on AWS: a Cognito user pool with one user per responder (invited by email,
 * username = the responder's email), its managed login on a Cognito domain, an app client for
 * the authorization code flow with PKCE whose callback is the console's /auth/callback, and the
 * Lambda authorizer that accepts the session cookie on every console route.
 */
import { Duration, Token } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import { ENV } from '../lambdas/adapters/environment.js';
import type { Responder } from '../lambdas/core/config.js';
import { SESSION_HOURS } from '../lambdas/handlers/console-session.js';
import { KlaxonFunction, type KlaxonFunctionOptions } from './klaxon-function.js';

export interface ConsoleSignInProps extends KlaxonFunctionOptions {
  /** Each gets a user (username: their email) and an invitation with a temporary password. */
  readonly responders: readonly Responder[];
  /** The console's base URL (the HTTP API's endpoint): its /auth/callback is the only callback URL. */
  readonly consoleBaseUrl: string;
  /**
   * The managed login's domain prefix: `https://<prefix>.auth.<region>.amazoncognito.com`, unique
   * in the region; lower-case letters, digits and hyphens, without "aws", "amazon" or "cognito".
   */
  readonly domainPrefix: string;
}

export class ConsoleSignIn extends Construct {
  readonly userPool: cognito.UserPool;
  readonly client: cognito.UserPoolClient;
  readonly domain: cognito.UserPoolDomain;
  /** The Lambda authorizer of the console routes: verifies the session cookie's ID token. */
  readonly authorizerFunction: KlaxonFunction;

  constructor(scope: Construct, id: string, props: ConsoleSignInProps) {
    super(scope, id);
    const signInUrl = `${props.consoleBaseUrl}/auth/sign-in`;
    this.userPool = new cognito.UserPool(this, 'UserPool', {
      // Only the responders in the config are users: nobody signs up.
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      standardAttributes: { email: { required: true, mutable: true } },
      // The console acknowledges and resolves incidents: a password alone is not enough.
      mfa: cognito.Mfa.REQUIRED,
      mfaSecondFactor: { sms: false, otp: true },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(7),
      },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      // Plus: threat protection blocks sign-ins with leaked credentials or from unusual places.
      featurePlan: cognito.FeaturePlan.PLUS,
      standardThreatProtectionMode: cognito.StandardThreatProtectionMode.FULL_FUNCTION,
      userInvitation: {
        emailSubject: 'Your Klaxon console sign-in',
        emailBody: `Klaxon pages you when an incident needs you. Its console is at ${signInUrl}: sign in with the username {username} and the temporary password {####} within 7 days, then choose your own password and set up an authenticator app.`,
      },
    });
    this.domain = this.userPool.addDomain('Domain', {
      cognitoDomain: { domainPrefix: props.domainPrefix },
      managedLoginVersion: cognito.ManagedLoginVersion.NEWER_MANAGED_LOGIN,
    });
    this.client = this.userPool.addClient('Console', {
      generateSecret: false,
      authFlows: { userSrp: true },
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL],
        callbackUrls: [`${props.consoleBaseUrl}/auth/callback`],
        logoutUrls: [signInUrl],
      },
      supportedIdentityProviders: [cognito.UserPoolClientIdentityProvider.COGNITO],
      // The ID token is the session: it lasts a shift, and nothing refreshes it.
      idTokenValidity: Duration.hours(SESSION_HOURS),
      accessTokenValidity: Duration.hours(SESSION_HOURS),
      refreshTokenValidity: Duration.hours(SESSION_HOURS),
      preventUserExistenceErrors: true,
      // The email names the responder: a user may not change it (an unverified email names nobody anyway).
      writeAttributes: new cognito.ClientAttributes(),
    });
    // The managed login's pages in Cognito's own style (the newer managed login needs a branding).
    new cognito.CfnManagedLoginBranding(this, 'Branding', {
      userPoolId: this.userPool.userPoolId,
      clientId: this.client.userPoolClientId,
      useCognitoProvidedValues: true,
    });
    for (const responder of props.responders) {
      new cognito.CfnUserPoolUser(this, `User-${responder.id}`, {
        userPoolId: this.userPool.userPoolId,
        username: responder.email,
        desiredDeliveryMediums: ['EMAIL'],
        userAttributes: [
          { name: 'email', value: responder.email },
          // The invitation goes to this address and the config vouches for it.
          { name: 'email_verified', value: 'true' },
        ],
      });
    }
    this.authorizerFunction = new KlaxonFunction(this, 'AuthorizerFunction', {
      entry: 'lambdas/entry/console-authorizer.ts',
      description: 'Klaxon: the console sign-in authorizer (verifies the session cookie)',
      bundledConfig: props.bundledConfig,
      tracing: props.tracing,
      sourceMaps: props.sourceMaps,
      serviceName: props.serviceName,
    });
    this.authorizerFunction.addEnvironment(ENV.signInUserPoolId, this.userPool.userPoolId);
    this.authorizerFunction.addEnvironment(ENV.signInClientId, this.client.userPoolClientId);
  }

  /** `https://<prefix>.auth.<region>.amazoncognito.com`: where the managed login is. */
  get loginBaseUrl(): string {
    return this.domain.baseUrl();
  }

  /** SIGN_IN_DOMAIN, SIGN_IN_CLIENT_ID and PUBLIC_BASE_URL: what the console's sign-in steps need. */
  bindConsole(fn: KlaxonFunction, consoleBaseUrl: string): void {
    fn.addEnvironment(ENV.signInDomain, this.loginBaseUrl);
    fn.addEnvironment(ENV.signInClientId, this.client.userPoolClientId);
    if (!Token.isUnresolved(consoleBaseUrl) && !consoleBaseUrl.startsWith('https://')) {
      throw new Error(`The console must be served over HTTPS; got ${consoleBaseUrl}`);
    }
    fn.addEnvironment(ENV.publicBaseUrl, consoleBaseUrl);
  }
}
