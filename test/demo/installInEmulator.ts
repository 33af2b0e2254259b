/**
 * Installs Laurel in an emulated LMS and registers that LMS with Laurel, as an admin's manual
 * install would leave them: the demo and the tests start from here.
 */
import { registerPlatform } from '../../src/lti/platforms.js';
import { ROUTES } from '../../src/lti/scopes.js';
import { laurelCustomParameters } from '../../src/lti/customParameters.js';
import type { Emulator } from '../emulator/index.js';

export async function installInEmulator(emulator: Emulator, publicUrl: string): Promise<{ clientId: string; deploymentId: string }> {
  const tool = emulator.registerTool({
    name: 'Laurel',
    initiateLoginUri: publicUrl + ROUTES.login,
    redirectUris: [publicUrl + ROUTES.launch],
    jwksUri: publicUrl + ROUTES.keys,
    targetLinkUri: publicUrl + ROUTES.launch,
    // What the admin pastes: the developer-key JSON's custom fields, or the README's line in Moodle.
    customParameters: laurelCustomParameters(emulator.flavour),
  });
  await registerPlatform({
    issuer: emulator.issuer, clientId: tool.clientId, name: `emulated ${emulator.flavour}`,
    authEndpoint: emulator.endpoints.auth, tokenEndpoint: emulator.endpoints.token, jwksUri: emulator.endpoints.jwks,
    deploymentIds: [tool.deploymentId], active: true,
  });
  return { clientId: tool.clientId, deploymentId: tool.deploymentId };
}
