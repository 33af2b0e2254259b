/** LTI Advantage service scopes (digest §3) and which service needs which. */
export const AGS_LINEITEM = 'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem';
export const AGS_LINEITEM_READONLY = 'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly';
export const AGS_RESULT_READONLY = 'https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly';
export const AGS_SCORE = 'https://purl.imsglobal.org/spec/lti-ags/scope/score';
export const NRPS_MEMBERSHIPS = 'https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly';

export const AGS_SCOPES = [AGS_LINEITEM, AGS_LINEITEM_READONLY, AGS_RESULT_READONLY, AGS_SCORE];
export const SUPPORTED_SCOPES = [...AGS_SCOPES, NRPS_MEMBERSHIPS];
