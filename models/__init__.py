"""Pydantic records shared by parse, extract, the flows and the warehouse."""
from models.records import (Amount, DateMention, Deadline, Document, Extraction, Link,
                            Municipality, Programme, Section, Span)

__all__ = ["Amount", "DateMention", "Deadline", "Document", "Extraction", "Link",
           "Municipality", "Programme", "Section", "Span"]
