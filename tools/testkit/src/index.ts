// @schakel/testkit: see tools/testkit/README.md (issue #14, item 4). The API lands in the next commits.
export {};
