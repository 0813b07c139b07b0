Feature: Error envelopes
  Every error is the documented JSON envelope, whose error.status mirrors the HTTP status. The
  401 and 404 envelopes match their contract snapshots, which pin only what the docs state;
  no envelope shows internals. Extra fields are additive extensions and conform.

  The SHOULD scenarios report what the docs leave open: whether the envelopes are the page's
  examples word for word, the trace_id's form and uniqueness, the timestamp, the Content-Type.

  @clause:ERR-ENVELOPE
  Scenario Outline: The answer to <case> is a JSON error envelope
    [doc] "{ \"success\": false, \"error\": { code, message, system_message, type, status, details, trace_id, timestamp } }" (docs/related-endpoints.md)
    [doc] "`code` UPPER_SNAKE_CASE; `status` mirrors the HTTP status; `details` an object (may be `{}`)" (docs/related-endpoints.md)

    Given <key>
    And the <state> share token
    When the share is saved
    Then the body is an error envelope

    Examples:
      | case                  | key                                      | state      |
      | a missing key         | no API key                               | live       |
      | an empty key          | an empty API key                         | live       |
      | an unknown key        | an unknown API key                       | live       |
      | a malformed key       | a malformed API key that is "non-ASCII"  | live       |
      | a forged Bearer token | a forged Bearer credential               | live       |
      | a revoked share       | the recipient's API key                  | revoked    |
      | an expired share      | the recipient's API key                  | expired    |
      | a removed share       | the recipient's API key                  | removed    |
      | an unknown token      | the recipient's API key                  | unknown    |
      | a collection share    | the recipient's API key                  | collection |

  @clause:ERR-NO-INTERNALS
  Scenario Outline: The answer to <case> shows no internals
    [doc] "Missing, revoked, expired or over-limit link: a graceful error, never a stack trace." (docs/related-endpoints.md)
    [doc] "A revoked, expired, or removed share returns a graceful `404`." (docs/save-shared-track.md)

    Given <key>
    And the <state> share token
    When the share is saved
    Then no field of the envelope carries a stack trace, an exception, a source path or SQL

    Examples:
      | case                  | key                                      | state      |
      | a missing key         | no API key                               | live       |
      | an unknown key        | an unknown API key                       | live       |
      | a malformed key       | a malformed API key that is "8 KiB long" | live       |
      | a forged Bearer token | a forged Bearer credential               | live       |
      | a revoked share       | the recipient's API key                  | revoked    |
      | an expired share      | the recipient's API key                  | expired    |
      | a removed share       | the recipient's API key                  | removed    |
      | an unknown token      | the recipient's API key                  | unknown    |
      | a collection share    | the recipient's API key                  | collection |

  @clause:ERR-NO-INTERNALS
  Scenario Outline: The answer to a malformed token that is <kind> shows no internals
    [doc] "Missing, revoked, expired or over-limit link: a graceful error, never a stack trace." (docs/related-endpoints.md)

    Given the recipient's API key
    And a malformed share token that is "<kind>"
    When the share is saved
    Then no field of the envelope carries a stack trace, an exception, a source path or SQL

    Examples:
      | kind               |
      | 4 KiB long         |
      | control characters |

  @clause:ERR-SNAPSHOT
  Scenario: The 401 envelope for a missing key matches its contract snapshot
    [doc] "401 codes listed in the global error-code reference: `AUTHENTICATION_REQUIRED`, …" (docs/related-endpoints.md)
    [doc] "`type`: `client_error` and `server_error` (global); `authentication_error` for this page's 401" (docs/related-endpoints.md)
    [doc] "`details` an object (may be `{}`)" (docs/related-endpoints.md)

    Given no API key
    And the live share token
    When the share is saved
    Then the status is 401
    And the envelope matches the snapshot "save-401-missing-key"

  @clause:ERR-SNAPSHOT
  Scenario: The 404 envelope for an unavailable share matches its contract snapshot
    [doc] "A revoked, expired, or removed share returns a graceful `404`." (docs/save-shared-track.md)
    [doc] Errors: 404 Not Found, code `RESOURCE_NOT_FOUND` (docs/save-shared-track.md)
    [doc] "`details` an object (may be `{}`)" (docs/related-endpoints.md)

    Given the recipient's API key
    And the unknown share token
    When the share is saved
    Then the status is 404
    And the envelope matches the snapshot "save-404-unavailable"

  @clause:ERR-EXAMPLE-SNAPSHOT @should
  Scenario: The 401 envelope for a missing key is the page's example
    [ex] 401 Unauthorized: "Authentication required. Please provide a valid API key.", "Saving a shared track requires sign-in", `authentication_error`, `details: {}` (docs/save-shared-track.md)

    Given no API key
    And the live share token
    When the share is saved
    Then the envelope matches the snapshot "example-401-missing-key"

  @clause:ERR-EXAMPLE-SNAPSHOT @should
  Scenario: The 401 envelope for an empty key is the page's example
    [ex] 401 Unauthorized: `AUTHENTICATION_REQUIRED`, "Saving a shared track requires sign-in" (docs/save-shared-track.md)

    Given an empty API key
    And the live share token
    When the share is saved
    Then the envelope matches the snapshot "example-401-missing-key"

  @clause:ERR-EXAMPLE-SNAPSHOT @should
  Scenario: The 404 envelope for an unavailable share is the page's example
    [ex] 404 Not Found: "This share link is no longer available.", "Share token invalid, revoked, expired, or content removed", `details: {}` (docs/save-shared-track.md)

    Given the recipient's API key
    And the unknown share token
    When the share is saved
    Then the envelope matches the snapshot "example-404-unavailable"

  @clause:ERR-TRACE-ID-FORMAT @should
  Scenario Outline: The trace_id of the <status> envelope is a req_ id or a UUID
    [ex] `"trace_id": "req_abc123xyz"` on this page; a UUID in the global error docs (docs/related-endpoints.md)

    Given <key>
    And the <state> share token
    When the share is saved
    Then the error trace_id is a req_ id or a UUID

    Examples:
      | status | key                     | state   |
      | 401    | no API key              | live    |
      | 404    | the recipient's API key | unknown |

  @clause:ERR-TRACE-ID-UNIQUE @should
  Scenario: Error answers carry trace_ids no other answer of the run carries
    [inferred] a trace_id identifies one failed request, for support and logs (docs/related-endpoints.md)

    Given no API key
    When the live, revoked and unknown share tokens are each saved
    Then the trace_ids of those responses are unique in the run

  @clause:ERR-TIMESTAMP-NOW @should
  Scenario Outline: The timestamp of the <status> envelope is the time of the answer
    [inferred] "Timestamps: UTC, ISO-8601 with `Z`" (docs/related-endpoints.md); that it is the time of the error is not stated

    Given <key>
    And the <state> share token
    When the share is saved
    Then the error timestamp is a UTC date-time within 5 minutes of the target's clock

    Examples:
      | status | key                     | state   |
      | 401    | no API key              | live    |
      | 404    | the recipient's API key | unknown |

  @clause:HTTP-JSON-CONTENT-TYPE @should
  Scenario Outline: The <status> envelope is served as JSON
    [inferred] the examples show JSON bodies; no page states a Content-Type (docs/save-shared-track.md)

    Given <key>
    And the <state> share token
    When the share is saved
    Then the content type is JSON

    Examples:
      | status | key                     | state      |
      | 401    | no API key              | live       |
      | 404    | the recipient's API key | unknown    |
      | 4xx    | the recipient's API key | collection |

  @clause:SAVE-NO-ECHO @should
  Scenario Outline: The answer to <case> carries neither the share token nor the key
    [inferred] the raw token is shown once and only a hash is stored; keys are credentials (docs/related-endpoints.md)

    Given <key>
    And the <state> share token
    When the share is saved
    Then the response carries neither the share token nor the credential it was sent

    Examples:
      | case                  | key                        | state   |
      | a missing key         | no API key                 | live    |
      | an unknown key        | an unknown API key         | live    |
      | a forged Bearer token | a forged Bearer credential | revoked |
      | a revoked share       | the recipient's API key    | revoked |
      | an unknown token      | the recipient's API key    | unknown |
