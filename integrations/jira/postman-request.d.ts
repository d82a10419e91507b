// postman-request (the HTTP library under jira-client) ships no types; this is the one call we make, and how to stop it.
declare module 'postman-request' {
  interface PostmanResponse {
    statusCode: number;
    headers: Record<string, string | string[] | undefined>;
    body: unknown;
  }
  /** The request under way; `abort()` stops it. */
  interface PostmanRequest {
    abort(): void;
  }
  function request(options: Record<string, unknown>, callback: (error: (Error & { code?: string }) | null, response: PostmanResponse) => void): PostmanRequest;
  export default request;
}
