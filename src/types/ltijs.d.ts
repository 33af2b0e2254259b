// The parts of ltijs 5.9 that Laurel uses (ltijs ships no types).
declare module 'ltijs' {
  import type { Express, Request, Response, NextFunction } from 'express';

  export interface LtijsPlatform {
    platformName(): Promise<string>;
    platformUrl(): Promise<string>;
    platformClientId(): Promise<string>;
    platformKid(): Promise<string>;
    platformAuthEndpoint(): Promise<string>;
    platformAccessTokenEndpoint(): Promise<string>;
    platformAuthConfig(): Promise<{ method: string; key: string }>;
    /** Laurel's private key for this platform (PEM), decrypted. */
    platformPrivateKey(): Promise<string>;
    platformActive(active?: boolean): Promise<boolean>;
    delete(): Promise<void>;
  }

  /** What ltijs keeps of a launch, handed to onConnect / onDeepLinking and in res.locals.token. */
  export interface LtijsToken {
    iss: string;
    user: string;
    userInfo: { given_name?: string; family_name?: string; name?: string; email?: string };
    platformInfo?: { name?: string; product_family_code?: string; guid?: string };
    clientId: string;
    platformId: string;
    deploymentId: string;
    platformContext: {
      contextId: string;
      context?: { id: string; label?: string; title?: string; type?: string[] | string };
      resource?: { id: string; title?: string };
      roles: string[];
      messageType: string;
      launchPresentation?: { locale?: string; return_url?: string; document_target?: string };
      deepLinkingSettings?: { deep_link_return_url: string; accept_types: string[]; data?: string; accept_multiple?: boolean };
      endpoint?: { scope?: string[]; lineitems?: string; lineitem?: string };
      namesRoles?: { context_memberships_url?: string };
      custom?: Record<string, string>;
    };
  }

  type Handler = (req: Request, res: Response, next: NextFunction) => unknown;
  type TokenHandler = (token: LtijsToken, req: Request, res: Response, next: NextFunction) => unknown;

  export interface LtijsProvider {
    app: Express;
    /** `plugin`: the storage ltijs calls instead of its own (Get, Insert, Replace, Modify, Delete, Encrypt, Decrypt). */
    setup(encryptionKey: string, database: { url: string; connection?: object; plugin?: object }, options: Record<string, unknown>): LtijsProvider;
    deploy(options: { serverless: boolean; silent?: boolean }): Promise<boolean>;
    close(options?: { silent?: boolean }): Promise<boolean>;
    onConnect(cb: TokenHandler): true;
    onDeepLinking(cb: TokenHandler): true;
    onDynamicRegistration(cb: Handler): true;
    onInvalidToken(cb: (req: Request, res: Response) => unknown): true;
    onSessionTimeout(cb: (req: Request, res: Response) => unknown): true;
    onUnregisteredPlatform(cb: (req: Request, res: Response) => unknown): true;
    onInactivePlatform(cb: (req: Request, res: Response) => unknown): true;
    registerPlatform(p: {
      url: string; name: string; clientId: string; authenticationEndpoint: string; accesstokenEndpoint: string;
      authorizationServer?: string; authConfig: { method: 'JWK_SET' | 'JWK_KEY' | 'RSA_KEY'; key: string };
    }): Promise<LtijsPlatform>;
    getPlatform(url: string, clientId: string): Promise<LtijsPlatform | false>;
    getPlatform(url: string): Promise<LtijsPlatform[] | false>;
    getPlatformById(id: string): Promise<LtijsPlatform | false>;
    getAllPlatforms(): Promise<LtijsPlatform[]>;
    /** ltijs's storage; Decrypt opens what it encrypted with its secret (see secrets/ltijsData.ts). */
    Database: { Decrypt(data: string, iv: string, secret: string): Promise<string> };
    DeepLinking: { createDeepLinkingMessage(token: LtijsToken, items: object[], options?: { message?: string }): Promise<string> };
  }
  export const Provider: LtijsProvider;
}
