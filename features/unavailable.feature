Feature: Unavailable shares
  A revoked, expired, or removed share returns a graceful 404, and so does a token that was
  never issued (generated in the shape of the fixtures' tokens, since no shape is documented).
  The answers agree on everything the docs define, so the API does not reveal why a token
  failed; what differs between two answers to the very same request is set aside.

  Background:
    Given the recipient's API key

  @clause:SAVE-404-REVOKED
  Scenario: Saving a revoked share returns 404 RESOURCE_NOT_FOUND
    [doc] "A revoked, expired, or removed share returns a graceful `404`." (docs/save-shared-track.md)
    [doc] Errors: 404 Not Found, code `RESOURCE_NOT_FOUND` (docs/save-shared-track.md)

    Given the revoked share token
    When the share is saved
    Then the status is 404
    And the error code is "RESOURCE_NOT_FOUND"

  @clause:SAVE-404-EXPIRED
  Scenario: Saving an expired share returns 404 RESOURCE_NOT_FOUND
    [doc] "A revoked, expired, or removed share returns a graceful `404`." (docs/save-shared-track.md)
    [doc] Errors: 404 Not Found, code `RESOURCE_NOT_FOUND` (docs/save-shared-track.md)

    Given the expired share token
    When the share is saved
    Then the status is 404
    And the error code is "RESOURCE_NOT_FOUND"

  @clause:SAVE-404-REMOVED
  Scenario: Saving a share whose track was deleted returns 404 RESOURCE_NOT_FOUND
    [doc] "A revoked, expired, or removed share returns a graceful `404`." (docs/save-shared-track.md)
    [doc] Errors: 404 Not Found, code `RESOURCE_NOT_FOUND` (docs/save-shared-track.md)

    Given the removed share token
    When the share is saved
    Then the status is 404
    And the error code is "RESOURCE_NOT_FOUND"

  @clause:SAVE-404-UNKNOWN
  Scenario: Saving a token that was never issued returns 404 RESOURCE_NOT_FOUND
    [doc] "Status table: … 404 not found" (docs/related-endpoints.md)
    [doc] Errors: 404 Not Found, code `RESOURCE_NOT_FOUND` (docs/save-shared-track.md)

    Given the unknown share token
    When the share is saved
    Then the status is 404
    And the error code is "RESOURCE_NOT_FOUND"

  @clause:SAVE-404-UNKNOWN
  Scenario: Saving the live token with its last character changed returns 404 RESOURCE_NOT_FOUND
    [doc] "Status table: … 404 not found" (docs/related-endpoints.md): that token was never issued
    [doc] Errors: 404 Not Found, code `RESOURCE_NOT_FOUND` (docs/save-shared-track.md)

    Given the live share token with its last character changed
    When the share is saved
    Then the status is 404
    And the error code is "RESOURCE_NOT_FOUND"

  @clause:SAVE-404-EXACT-TOKEN
  Scenario Outline: Saving the live token <twist> returns a client error, never a save
    [doc] Path parameter `token` (string, required): the raw share token from the share's `url`. (docs/save-shared-track.md)
    [doc] "Status table: 400 bad format, 401 missing/invalid key, 403 permissions, 404 not found, … 5xx server" (docs/related-endpoints.md): a token not issued is not found, or in a bad format

    Given the live share token <twist>
    When the share is saved
    Then the status is a client error
    And the body is an error envelope

    Examples:
      | twist                          |
      | with its letters' case swapped |
      | with a character appended      |
      | without its last character     |
      | inside a longer string         |
      | with a space appended          |

  @clause:SAVE-404-NO-ORACLE
  Scenario: The unavailable tokens the target holds return one answer
    [doc] "A revoked, expired, or removed share returns a graceful `404`." (docs/save-shared-track.md): one 404, whatever the reason

    When the revoked, expired, removed and unknown share tokens are each saved
    Then those responses agree on status, code, type, message and details

  @clause:SAVE-NO-ORACLE-STRICT @should
  Scenario: The unavailable tokens the target holds return identical envelopes
    [ex] 404 system_message "Share token invalid, revoked, expired, or content removed": one text for every reason (docs/save-shared-track.md)

    When the revoked, expired, removed and unknown share tokens are each saved
    Then those responses are identical apart from trace_id and timestamp
