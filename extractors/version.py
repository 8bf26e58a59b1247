"""The extractor version. Bump it whenever a rule, pattern file or normaliser changes what
extraction returns: the ingest flow re-extracts a raw document when its (sha256, version) pair is
new, and every extracted value in the warehouse records the version that produced it."""
EXTRACTOR_VERSION = "0.2.0"
