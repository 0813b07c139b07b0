Feature: Signing in to save
  Unlike the public resolve, saving a shared track requires sign-in. The key is checked before
  the token: without a valid credential the answer is 401 whatever the token, and it is the
  same 401 for a token in any state (live, revoked, expired, removed, collection, unknown), so
  a caller without sign-in learns nothing about tokens. What differs between two answers to
  the very same request (a request id) is set aside: it varies per request, not per token.

  Where the pages disagree, every documented value is accepted: the 401 `type` is
  `authentication_error` on this page and `client_error` globally; any code of the global
  error reference's 401 list may answer a bad key. The SHOULD scenarios of envelope.feature
  report which the target chose.

  @clause:SAVE-401-MISSING-KEY
  Scenario: Saving without an X-API-Key header returns 401 AUTHENTICATION_REQUIRED
    [doc] "Unlike the public resolve, this endpoint **requires sign-in**." (docs/save-shared-track.md)
    [doc] "401 codes listed in the global error-code reference: `AUTHENTICATION_REQUIRED`, …" (docs/related-endpoints.md)
    [doc] "`type`: the global page names `client_error` and `server_error`; this endpoint's page uses `authentication_error` for 401" (docs/related-endpoints.md)

    Given no API key
    And the live share token
    When the share is saved
    Then the status is 401
    And the error code is "AUTHENTICATION_REQUIRED"
    And the error type is one the docs give its status

  @clause:SAVE-401-MISSING-KEY
  Scenario: Saving with an empty X-API-Key header returns a documented 401
    [doc] "Status table: … 401 missing/invalid key" (docs/related-endpoints.md): an empty key is either

    Given an empty API key
    And the live share token
    When the share is saved
    Then the status is 401
    And the body is an error envelope
    And the error code is a documented 401 code

  @clause:SAVE-401-INVALID-KEY
  Scenario Outline: Saving with <key> returns a documented 401 envelope
    [doc] "Status table: … 401 missing/invalid key" (docs/related-endpoints.md)
    [doc] "401 codes listed in the global error-code reference: AUTHENTICATION_REQUIRED, INVALID_API_KEY, API_KEY_EXPIRED, API_KEY_DEACTIVATED, API_KEY_PAUSED, TOKEN_EXPIRED, TOKEN_INVALID" (docs/related-endpoints.md)
    [doc] "API keys: `ak_` + alphanumerics, 42 characters in all" (docs/related-endpoints.md): anything else is malformed

    Given <key>
    And the live share token
    When the share is saved
    Then the status is 401
    And the body is an error envelope
    And the error code is a documented 401 code

    Examples:
      | key                                                     |
      | an unknown API key                                      |
      | the recipient's API key with its last character changed |
      | a malformed API key that is "of the wrong prefix"       |
      | a malformed API key that is "of the wrong length" |
      | a malformed API key that is "8 KiB long"          |
      | a malformed API key that is "non-ASCII"           |

  @clause:SAVE-401-EXACT-KEY
  Scenario Outline: Saving with the recipient's API key <twist> returns a documented 401 envelope
    [doc] "Header `X-API-Key: <key>`; music endpoints also accept `Authorization: Bearer <JWT>`" (docs/related-endpoints.md)
    [doc] "Status table: … 401 missing/invalid key" (docs/related-endpoints.md): a key that is not byte for byte the one issued is invalid

    Given the recipient's API key <twist>
    And the live share token
    When the share is saved
    Then the status is 401
    And the body is an error envelope
    And the error code is a documented 401 code

    Examples:
      | twist                                 |
      | with its letters' case swapped        |
      | with a character appended             |
      | without its last character            |
      | with its last character in full width |
      | with a no-break space appended        |

  @clause:SAVE-401-EXACT-KEY
  Scenario Outline: Saving with <key> and a forged Bearer credential beside it returns a documented 401 envelope
    [doc] "Header `X-API-Key: <key>`; music endpoints also accept `Authorization: Bearer <JWT>`" (docs/related-endpoints.md)
    [doc] "Status table: … 401 missing/invalid key" (docs/related-endpoints.md): neither credential is valid

    Given <key>
    And a forged Bearer credential beside it
    And the live share token
    When the share is saved
    Then the status is 401
    And the body is an error envelope
    And the error code is a documented 401 code

    Examples:
      | key                                                     |
      | an unknown API key                                      |
      | the recipient's API key with its last character changed |

  @clause:SAVE-401-BEARER
  Scenario Outline: Saving with <credential> and no X-API-Key returns a documented 401
    [doc] "Header `X-API-Key: <key>`; music endpoints also accept `Authorization: Bearer <JWT>`" (docs/related-endpoints.md)
    [doc] "Unlike the public resolve, this endpoint **requires sign-in**." (docs/save-shared-track.md)

    Given <credential>
    And the live share token
    When the share is saved
    Then the status is 401
    And the body is an error envelope
    And the error code is a documented 401 code

    Examples:
      | credential                   |
      | a forged Bearer credential   |
      | an unsigned Bearer credential |

  @clause:SAVE-401-BEFORE-TOKEN
  Scenario Outline: With <credential>, every token state returns one 401
    [doc] "Unlike the public resolve, this endpoint **requires sign-in**." (docs/save-shared-track.md)

    Given <credential>
    When the live, revoked, expired, removed, collection and unknown share tokens are each saved
    Then each of those responses has status 401
    And those responses agree on status, code, type, message and details

    Examples:
      | credential                                        |
      | no API key                                        |
      | an empty API key                                  |
      | an unknown API key                                |
      | a malformed API key that is "of the wrong prefix" |
      | a malformed API key that is "8 KiB long"          |
      | a malformed API key that is "non-ASCII"           |
      | a forged Bearer credential                        |
      | an unsigned Bearer credential                     |

  @clause:SAVE-NO-ORACLE-STRICT @should
  Scenario Outline: With <credential>, the 401s for every token state are identical
    [inferred] one answer in every field and header, system_message and extra fields included

    Given <credential>
    When the live, revoked, expired, removed, collection and unknown share tokens are each saved
    Then those responses are identical apart from trace_id and timestamp

    Examples:
      | credential         |
      | no API key         |
      | an unknown API key |
