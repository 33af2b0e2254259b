/** The LTI Advantage scopes Laurel asks for: read and write its grade columns, read results, post scores, read the roster. */
export const LAUREL_SCOPES = [
  'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem',
  'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly',
  'https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly',
  'https://purl.imsglobal.org/spec/lti-ags/scope/score',
  'https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly',
] as const;

export const ROUTES = {
  login: '/lti/login',
  /** Where a login comes back to once, to see whether the browser kept the state cookie. */
  loginCheck: '/lti/login/check',
  launch: '/lti/launch',
  keys: '/lti/keys',
  register: '/lti/register',
  canvasConfig: '/lti/canvas.json',
} as const;
