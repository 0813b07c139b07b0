Feature: Refused saves add nothing to the library
  A save the docs refuse must leave the recipient's library as it was. Before the run's first
  save of the live token, the library is listed, these saves are made at once, and the library
  is listed again: the collection, revoked, expired and removed tokens (those the target holds)
  and a token that was never issued, each with the recipient's key, and the live token with no
  key. They come before the first save because a revoked share may lead to the very track the
  live one does: once that track is in the library, another copy of it could not be seen.

  @clause:SAVE-REFUSED-ADDS-NOTHING @library @after-the-rest
  Scenario: Saves that are refused add nothing to the recipient's library
    [doc] "Only a shared **track** can be saved — a shared collection is read-only." (docs/save-shared-track.md)
    [doc] "A revoked, expired, or removed share returns a graceful `404`." (docs/save-shared-track.md)
    [doc] "Unlike the public resolve, this endpoint **requires sign-in**." (docs/save-shared-track.md)

    Then the saves refused before the first save added nothing to the recipient's library
