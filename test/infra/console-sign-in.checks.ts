import { SESSION_HOURS } from '../../lambdas/handlers/console-session.js';
import { defaultConfig, logicalIdOf, render, resourceOf, resourcesOfType, sharedKlaxon } from './klaxon-template.js';

const { stack, klaxon, template } = sharedKlaxon();
const idOf = (construct: Parameters<typeof logicalIdOf>[1]) => logicalIdOf(stack, construct);
const apiUrl = `<${idOf(klaxon.httpApi.api)}.ApiEndpoint>`;

describe('console sign-in', () => {
  it('is a user pool only the config fills: no sign-up, MFA required, threat protection on', () => {
    const pool = resourceOf(template, idOf(klaxon.signIn.userPool)).Properties;
    expect(pool).toMatchObject({
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      MfaConfiguration: 'ON',
      EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
      UsernameAttributes: ['email'],
      UserPoolTier: 'PLUS',
      UserPoolAddOns: { AdvancedSecurityMode: 'ENFORCED' },
    });
    const invitation = pool.AdminCreateUserConfig as { InviteMessageTemplate: { EmailMessage: unknown } };
    expect(render(invitation.InviteMessageTemplate.EmailMessage)).toContain(`${apiUrl}/auth/sign-in`);
  });

  it('invites one user per responder, by their email', () => {
    const users = resourcesOfType(template, 'AWS::Cognito::UserPoolUser').map(([, user]) => user.Properties);
    expect(users.map((user) => user.Username).sort()).toEqual(
      defaultConfig()
        .responders.map((responder) => responder.email)
        .sort(),
    );
    for (const user of users) {
      expect(user).toMatchObject({ DesiredDeliveryMediums: ['EMAIL'] });
      expect(user.UserAttributes).toEqual(
        expect.arrayContaining([
          { Name: 'email', Value: user.Username },
          { Name: 'email_verified', Value: 'true' },
        ]),
      );
    }
  });

  it("signs in with the managed login's authorization code flow, back to the console's callback, for a shift", () => {
    const client = resourceOf(template, idOf(klaxon.signIn.client)).Properties;
    expect(client).toMatchObject({
      GenerateSecret: false,
      AllowedOAuthFlows: ['code'],
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthScopes: ['openid', 'email'],
      SupportedIdentityProviders: ['COGNITO'],
      IdTokenValidity: SESSION_HOURS * 60,
      TokenValidityUnits: { IdToken: 'minutes' },
      WriteAttributes: [],
    });
    expect((client.CallbackURLs as unknown[]).map(render)).toEqual([`${apiUrl}/auth/callback`]);
    expect((client.LogoutURLs as unknown[]).map(render)).toEqual([`${apiUrl}/auth/sign-in`]);
    const domain = resourceOf(template, idOf(klaxon.signIn.domain)).Properties;
    expect(domain).toMatchObject({ ManagedLoginVersion: 2 });
    expect(resourcesOfType(template, 'AWS::Cognito::ManagedLoginBranding')).toHaveLength(1);
  });

  it('tells the console where the managed login is and the authorizer which tokens to accept', () => {
    const variables = (fn: Parameters<typeof idOf>[0]) =>
      (resourceOf(template, idOf(fn)).Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    const consoleVariables = variables(klaxon.management.consoleFunction);
    expect(render(consoleVariables.SIGN_IN_CLIENT_ID)).toBe(`<${idOf(klaxon.signIn.client)}>`);
    expect(render(consoleVariables.SIGN_IN_DOMAIN)).toContain(`https://<${idOf(klaxon.signIn.domain)}>.auth.`);
    expect(render(consoleVariables.PUBLIC_BASE_URL)).toBe(apiUrl);
    expect(render(variables(klaxon.signIn.authorizerFunction).SIGN_IN_USER_POOL_ID)).toBe(
      `<${idOf(klaxon.signIn.userPool)}>`,
    );
  });

  it('outputs the console sign-in URL', () => {
    expect(render(template.findOutputs('ConsoleSignInUrl').ConsoleSignInUrl?.Value)).toBe(`${apiUrl}/auth/sign-in`);
  });
});
