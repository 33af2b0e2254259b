/**
 * Where Canvas sends an instructor back after they authorise Laurel: the Redirect URI an
 * administrator enters in the API developer key, and the one every OAuth request names.
 */
export const CANVAS_CALLBACK_PATH = '/lms/canvas/callback';

export const canvasRedirectUri = (publicUrl: string) => new URL(CANVAS_CALLBACK_PATH, publicUrl).toString();
