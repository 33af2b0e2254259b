/**
 * The OIDC `state` and `nonce` of a login in progress, from login initiation to launch.
 * Used once: the launch takes it with findOneAndDelete, so a replayed launch finds nothing.
 * Kept under the state itself as `_id`: the login and the launch find it by key.
 */
import mongoose, { Schema } from 'mongoose';

export interface LaunchState {
  state: string;
  nonce: string;
  issuer: string;
  clientId: string;
  /** The login came with `lti_storage_target` (LTI Platform Storage): the frame that holds state instead of a cookie. */
  storageTarget?: string;
  /** The platform origin to talk to over postMessage (its OIDC authorization endpoint's origin). */
  storageOrigin?: string;
  /** Where the login continues (the platform's authentication request), once the browser has kept the cookie. */
  authRequest?: string;
  /** The login initiation's own parameters, to start it again in a new window when the iframe keeps no cookie. */
  initiation?: Record<string, string>;
  expiresAt: Date;
}

const schema = new Schema<LaunchState & { _id: string }>({
  _id: String,
  state: { type: String, required: true },
  nonce: { type: String, required: true },
  issuer: { type: String, required: true },
  clientId: { type: String, required: true },
  storageTarget: String,
  storageOrigin: String,
  authRequest: String,
  initiation: { type: Schema.Types.Mixed },
  expiresAt: { type: Date, required: true },
});
schema.index({ expiresAt: 1 }, { expireAfterSeconds: 0 });
schema.pre('validate', function keyed() { this._id ??= this.state; });

export const LaunchStateModel = mongoose.model<LaunchState & { _id: string }>('launchState', schema);

export const LAUNCH_STATE_TTL_SECONDS = 600;

export async function saveLaunchState(s: Omit<LaunchState, 'expiresAt'>): Promise<void> {
  await LaunchStateModel.create({ _id: s.state, ...s, expiresAt: new Date(Date.now() + LAUNCH_STATE_TTL_SECONDS * 1000) });
}

export async function takeLaunchState(state: string): Promise<LaunchState | null> {
  const found = await LaunchStateModel.findOneAndDelete({ _id: state }).lean();
  if (!found || found.expiresAt.getTime() < Date.now()) return null;
  return found;
}

/** Reads without consuming: the Platform Storage check page needs the state to survive one more round trip. */
export async function peekLaunchState(state: string): Promise<LaunchState | null> {
  const found = await LaunchStateModel.findById(state).lean();
  if (!found || found.expiresAt.getTime() < Date.now()) return null;
  return found;
}
