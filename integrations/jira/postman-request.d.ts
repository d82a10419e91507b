// postman-request (the HTTP library under jira-client) ships no types; this is the one call we make.
declare module 'postman-request' {
  interface PostmanResponse {
    statusCode: number;
    headers: Record<string, string | string[] | undefined>;
    body: unknown;
  }
  function request(options: Record<string, unknown>, callback: (error: (Error & { code?: string }) | null, response: PostmanResponse) => void): void;
  export default request;
}
