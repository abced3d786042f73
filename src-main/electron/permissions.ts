/**
 * Permission decisions for web content: the camera and microphone ('media')
 * for our own pages, nothing else for anyone (Electron grants every
 * permission by default when no handler is set).
 */
import { originOf } from './sender';

export interface MediaDetails {
  /** Electron: 'video' | 'audio' for 'media' requests */
  mediaTypes?: readonly string[];
  requestingUrl?: string;
}

const MEDIA_TYPES = new Set(['video', 'audio']);

/** setPermissionRequestHandler: grant? */
export function allowPermissionRequest(permission: string, details: MediaDetails, trustedOrigins: readonly string[]): boolean {
  if (permission !== 'media') return false;
  const origin = details.requestingUrl ? originOf(details.requestingUrl) : null;
  if (origin === null || !trustedOrigins.includes(origin)) return false;
  // screen/window capture also arrives as 'media' with other types: refuse it
  return (details.mediaTypes ?? []).every((t) => MEDIA_TYPES.has(t));
}

/** setPermissionCheckHandler: may the page even ask / enumerate devices? */
export function allowPermissionCheck(permission: string, requestingOrigin: string, trustedOrigins: readonly string[]): boolean {
  if (permission !== 'media') return false;
  const origin = originOf(requestingOrigin) ?? requestingOrigin;
  return trustedOrigins.includes(origin);
}
