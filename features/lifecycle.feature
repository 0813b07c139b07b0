@lifecycle
Feature: The life of a save
  What becomes of a save once its share link is revoked or its track deleted, as the
  neighbouring docs pages state it. Both need the sharer's key and shares the run made itself
  (provisioning); without them these scenarios are NOT-TESTABLE, in a case a gate may accept
  by name.

  The delete lifecycle comes first, before the refused saves: a share of the disposable track
  is saved by the recipient, then the sharer deletes the track, and that share is the run's
  removed token from then on. The revoke lifecycle comes after every other scenario: the
  sharer revokes the run's own live share, which the recipient saved. Reads may lag writes:
  each expected state is waited for within the read lag, and only while it has not appeared.

  Background:
    Given the recipient's API key

  @clause:SAVE-DELETE-EMPTIES-LIBRARY @library @delete-lifecycle
  Scenario: A track its creator deletes leaves the library of the recipient who saved it
    [doc] After it the track leaves every library, including those of the users who saved it. (docs/related-endpoints.md)

    When the recipient saves a share of the disposable track, and its creator deletes the track
    Then the deleted track leaves the recipient's library

  @clause:SAVE-DELETE-EMPTIES-LIBRARY @library @delete-lifecycle @after-the-rest
  Scenario: A deleted track stays out of the library, though its share is saved again
    [doc] After it the track leaves every library, including those of the users who saved it. (docs/related-endpoints.md)

    When the recipient saves a share of the disposable track, and its creator deletes the track
    And the deleted track's share is saved again
    Then the deleted track is not in the recipient's library late in the run either

  @clause:SAVE-AFTER-DELETE @delete-lifecycle
  Scenario: Saving a deleted track's share again returns the removed share's 404
    [doc] "A revoked, expired, or removed share returns a graceful `404`." (docs/save-shared-track.md)
    [doc] Errors: 404 Not Found, code `RESOURCE_NOT_FOUND` (docs/save-shared-track.md)

    When the recipient saves a share of the disposable track, and its creator deletes the track
    And the deleted track's share is saved again
    Then the status is 404
    And the error code is "RESOURCE_NOT_FOUND"

  @clause:SAVE-AFTER-DELETE @delete-lifecycle
  Scenario: The public view of a deleted track's share no longer shows the track
    [doc] Content its creator removed: `available: false`, a human-readable `message`, no track. (docs/related-endpoints.md)
    [doc] "Missing, revoked, expired or over-limit link: a graceful error, never a stack trace." (docs/related-endpoints.md): a graceful error is accepted too

    When the recipient saves a share of the disposable track, and its creator deletes the track
    Then the public view of the deleted track's share no longer shows the track

  @clause:SAVE-AFTER-REVOKE @revoke-lifecycle @after-the-rest
  Scenario: After its revocation, a share the recipient saved returns the unavailable share's 404 to the recipient
    [doc] After a revocation, new resolves and new saves of the link fail; whoever saved it before keeps the copy. (docs/related-endpoints.md)
    [doc] "A revoked, expired, or removed share returns a graceful `404`." (docs/save-shared-track.md)

    When the sharer revokes the live share the recipient saved
    And the revoked share is saved again, and so is a token that was never issued
    Then each of those responses has status 404
    And those responses agree on status, code, type, message and details

  @clause:SAVE-AFTER-REVOKE @library @revoke-lifecycle @after-the-rest
  Scenario: After its revocation, saving a share the recipient saved adds nothing to the library
    [doc] After a revocation, new resolves and new saves of the link fail; whoever saved it before keeps the copy. (docs/related-endpoints.md)

    When the sharer revokes the live share the recipient saved
    And the revoked share is saved again, and so is a token that was never issued
    Then the saves of the revoked share added nothing to the recipient's library

  @clause:SAVE-AFTER-REVOKE @revoke-lifecycle @after-the-rest
  Scenario: After its revocation, the public view of a share fails gracefully
    [doc] After a revocation, new resolves and new saves of the link fail; whoever saved it before keeps the copy. (docs/related-endpoints.md)
    [doc] "Missing, revoked, expired or over-limit link: a graceful error, never a stack trace." (docs/related-endpoints.md)

    When the sharer revokes the live share the recipient saved
    Then the public view of the revoked share fails gracefully

  @clause:SAVE-REVOKE-KEEPS-COPY @library @revoke-lifecycle @after-the-rest
  Scenario: After its revocation, the recipient who saved a share keeps the track
    [doc] After a revocation, new resolves and new saves of the link fail; whoever saved it before keeps the copy. (docs/related-endpoints.md)

    When the sharer revokes the live share the recipient saved
    Then the recipient's library still holds the track saved through the revoked share
