"""auditkit: process audits of asylum homes for mothers and families with children."""

__version__ = "0.1.0"
