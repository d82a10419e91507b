/**
 * Files: uploads (Client4's multipart form or one raw body named by ?filename=) up to FileSettings.MaxFileSize, a file's
 * bytes and FileInfo, and the attaching of uploaded files to a new post.
 */
import type { Request, Router } from 'express';
import { apiError, forbidden, invalidUrlParam } from './errors.js';
import { API, asyncRoute, created, idParam, ok, queryString, route } from './http.js';
import { copy, isValidId, newMattermostId } from './ids.js';
import type { MattermostWorld } from './state.js';
import type { SandboxFileInfo, SandboxPost, SandboxUserProfile } from './types.js';

/** Room for the multipart framing and form fields around the files of one upload request. */
const UPLOAD_OVERHEAD = 1024 * 1024;

/**
 * Attaches the files the session uploaded to this post's channel and no post has yet. Like the real server (FileInfo
 * AttachToPost), any other id (unknown, someone else's, another channel's, attached already) is dropped silently.
 */
export function attachFiles(world: MattermostWorld, fileIds: string[], post: SandboxPost, session: SandboxUserProfile): SandboxFileInfo[] {
  return fileIds.flatMap((id) => {
    const info = world.files.get(id)?.info;
    if (!info || info.user_id !== session.id || info.channel_id !== post.channel_id || info.post_id !== '' || info.delete_at) return [];
    info.post_id = post.id;
    info.update_at = post.create_at;
    return [info];
  });
}

/**
 * Reads the whole request body, keeping at most `limit` bytes. A larger body is still read to its end and only counted,
 * so the client gets the 413 instead of a connection reset in the middle of its upload.
 */
async function readBody(req: Request, limit: number): Promise<{ content?: Buffer; size: number }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= limit) chunks.push(chunk);
  }
  return size <= limit ? { content: Buffer.concat(chunks, size), size } : { size };
}

interface Upload {
  name: string;
  type: string;
  content: Buffer;
}

/** The files of an upload request: multipart (Client4's form: channel_id, files, client_ids) or one raw body. */
async function uploadsOf(req: Request, body: Buffer): Promise<{ channelId: string; uploads: Upload[]; clientIds: string[] }> {
  const contentType = req.get('content-type') ?? '';
  const fromQuery = queryString(req, 'channel_id');
  if (!/^multipart\/form-data\s*;/i.test(contentType)) {
    // The raw form: the body is the file, named by ?filename= (how the mobile apps upload).
    const filename = queryString(req, 'filename') ?? '';
    if (!filename) throw invalidUrlParam('filename');
    return { channelId: fromQuery ?? '', uploads: [{ name: filename, type: contentType || 'application/octet-stream', content: body }], clientIds: [] };
  }
  let form: FormData;
  try {
    form = await new Response(body, { headers: { 'content-type': contentType } }).formData();
  } catch {
    throw apiError(400, 'api.file.upload_file.read_request.app_error', 'Unable to read the multipart request.');
  }
  const fromForm = form.get('channel_id');
  const uploads: Upload[] = [];
  for (const value of form.getAll('files')) {
    if (typeof value === 'string') continue;
    uploads.push({ name: value.name, type: value.type || 'application/octet-stream', content: Buffer.from(await value.arrayBuffer()) });
  }
  const clientIds = form.getAll('client_ids').filter((value): value is string => typeof value === 'string');
  return { channelId: fromQuery ?? (typeof fromForm === 'string' ? fromForm : ''), uploads, clientIds };
}

function uploadFiles(world: MattermostWorld, upload: { channelId: string; uploads: Upload[]; clientIds: string[] }, session: SandboxUserProfile): SandboxFileInfo[] {
  if (!isValidId(upload.channelId)) throw invalidUrlParam('channel_id');
  const channel = world.channels.get(upload.channelId);
  // Permission (upload_file in the channel) comes first, so an unknown channel reads as "no permission".
  if (!channel) throw forbidden();
  world.requireMemberOrAdmin(channel, session);
  if (upload.uploads.length === 0) throw apiError(400, 'api.file.upload_file.incorrect_number_of_files.app_error', 'No files in the request.');
  if (upload.clientIds.length > 0 && upload.clientIds.length !== upload.uploads.length) {
    throw apiError(400, 'api.file.upload_file.incorrect_number_of_client_ids.app_error', 'One client_id per file, or none.');
  }
  for (const file of upload.uploads) {
    if (file.content.length > world.maxFileSize) throw fileTooLarge(file.content.length, world.maxFileSize, file.name);
  }
  const at = world.now();
  return upload.uploads.map((file) => {
    const name = file.name.split(/[\\/]/).pop() || 'file';
    const dot = name.lastIndexOf('.');
    const info: SandboxFileInfo = {
      id: newMattermostId(),
      user_id: session.id,
      channel_id: channel.id,
      post_id: '',
      create_at: at,
      update_at: at,
      delete_at: 0,
      name,
      extension: dot > 0 ? name.slice(dot + 1).toLowerCase() : '',
      size: file.content.length,
      // The real server guesses the type from the extension; the sandbox keeps what the client declared.
      mime_type: file.type,
      width: 0,
      height: 0,
      has_preview_image: false,
      mini_preview: null,
      remote_id: '',
      archived: false,
    };
    world.files.set(info.id, { info, content: file.content });
    return info;
  });
}

const fileTooLarge = (length: number, limit: number, name?: string) =>
  apiError(413, 'api.file.upload_file.too_large_detailed.app_error', `Unable to upload file${name ? ` ${name}` : ''}. ${length} bytes exceeds the maximum allowed ${limit} bytes.`);

/** A file is the uploader's until a post attaches it; then whoever can read that post's channel may read it. */
function readableFile(world: MattermostWorld, req: Request, session: SandboxUserProfile): { info: SandboxFileInfo; content: Buffer } {
  const file = world.files.get(idParam(req, 'file_id'));
  if (!file || file.info.delete_at) throw apiError(404, 'app.file_info.get.app_error', 'No such file.');
  if (file.info.user_id !== session.id) {
    const channel = file.info.post_id ? world.channels.get(file.info.channel_id) : undefined;
    if (!channel) throw forbidden();
    world.requireReadable(channel, session);
  }
  return file;
}

export function registerFileRoutes(router: Router, world: MattermostWorld): void {
  router.post(`${API}/files`, asyncRoute(world, async (req, session) => {
    const multipart = /^multipart\/form-data/i.test(req.get('content-type') ?? '');
    // A file may be maxFileSize bytes; the multipart framing and form fields around it get some room of their own.
    const { content, size } = await readBody(req, world.maxFileSize + (multipart ? UPLOAD_OVERHEAD : 0));
    if (!content) throw fileTooLarge(size, world.maxFileSize);
    const upload = await uploadsOf(req, content);
    const infos = uploadFiles(world, upload, session);
    return created({ file_infos: infos.map(copy), client_ids: upload.clientIds });
  }));
  router.get(`${API}/files/:file_id`, route(world, (req, session) => {
    const { info, content } = readableFile(world, req, session);
    return {
      status: 200,
      body: content,
      headers: {
        'Content-Type': info.mime_type || 'application/octet-stream',
        'Content-Disposition': `attachment;filename="${info.name.replace(/["\\]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(info.name)}`,
        'X-Content-Type-Options': 'nosniff',
      },
    };
  }));
  router.get(`${API}/files/:file_id/info`, route(world, (req, session) => ok(copy(readableFile(world, req, session).info))));
}
