Feature: Error envelopes
  Every error is the documented JSON envelope, whose error.status mirrors the HTTP status,
  and the 401 and 404 envelopes are the documented ones once volatile fields are redacted.

  @clause:ERR-ENVELOPE
  Scenario Outline: The answer to <case> is a JSON error envelope
    Given <key>
    And the <state> share token
    When the share is saved
    Then the body is an error envelope

    Examples:
      | case               | key                     | state      |
      | a missing key      | no API key              | live       |
      | an empty key       | an empty API key        | live       |
      | an unknown key     | an unknown API key      | live       |
      | a revoked share    | the recipient's API key | revoked    |
      | an expired share   | the recipient's API key | expired    |
      | a removed share    | the recipient's API key | removed    |
      | an unknown token   | the recipient's API key | unknown    |
      | a collection share | the recipient's API key | collection |

  @clause:ERR-SNAPSHOT
  Scenario: The 401 envelope for a missing key matches its snapshot
    Given no API key
    And the live share token
    When the share is saved
    Then the status is 401
    And the envelope matches the snapshot "save-401-missing-key"

  @clause:ERR-SNAPSHOT
  Scenario: The 404 envelope for an unavailable share matches its snapshot
    Given the recipient's API key
    And the unknown share token
    When the share is saved
    Then the status is 404
    And the envelope matches the snapshot "save-404-unavailable"

  @clause:ERR-SYSTEM-MESSAGE @should
  Scenario: The 401 system_message is the documented text
    Given no API key
    And the live share token
    When the share is saved
    Then the error system_message is "Saving a shared track requires sign-in"

  @clause:ERR-SYSTEM-MESSAGE @should
  Scenario: The 404 system_message is the documented text
    Given the recipient's API key
    And the unknown share token
    When the share is saved
    Then the error system_message is "Share token invalid, revoked, expired, or content removed"

  @clause:ERR-TRACE-ID-FORMAT @should
  Scenario: The trace_id of the 401 envelope is a req_ id or a UUID
    Given no API key
    And the live share token
    When the share is saved
    Then the error trace_id is a req_ id or a UUID

  @clause:ERR-TRACE-ID-FORMAT @should
  Scenario: The trace_id of the 404 envelope is a req_ id or a UUID
    Given the recipient's API key
    And the unknown share token
    When the share is saved
    Then the error trace_id is a req_ id or a UUID
