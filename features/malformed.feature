Feature: Malformed tokens
  Whatever the token, the answer is a graceful client error with the documented envelope,
  never a server error or a stack trace. The docs allow 400 (bad format) or 404 (not found).
  "A share link id" is the live share's `mslink_` id, which the docs warn is not its token.

  A bare `..` path segment is resolved by URL rules before any request leaves the harness,
  so the dot-segment case sends `..` joined by percent-encoded slashes instead.

  @clause:SAVE-GRACEFUL
  Scenario Outline: Saving a malformed token that is <kind> returns a 4xx error envelope
    [doc] "Status table: 400 bad format, 401 missing/invalid key, 403 permissions, 404 not found, … 5xx server" (docs/related-endpoints.md)
    [doc] "a graceful error, never a stack trace" (docs/related-endpoints.md)

    Given the recipient's API key
    And a malformed share token that is "<kind>"
    When the share is saved
    Then the status is a client error
    And the body is an error envelope

    Examples:
      | kind                    |
      | 4 KiB long              |
      | non-ASCII               |
      | a percent-encoded slash |
      | dot segments            |
      | control characters      |
      | empty                   |
      | in upper case           |
      | a share link id         |
