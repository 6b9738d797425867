-- Documents attached to dossiers (giấy tờ đính kèm). The bytes are stored
-- once per content, under their SHA-256 (hex): the same scan attached
-- twice, or to two dossiers, takes the space of one.
CREATE TABLE blobs (
    hash TEXT PRIMARY KEY,
    size BIGINT NOT NULL,
    content {{blob}} NOT NULL
);

-- One attached file of a dossier. token is its public reference (random);
-- field names the form field it answers, '' for other documents; name is
-- the cleaned file name and mime the type read from the content.
CREATE TABLE dossier_attachments (
    id {{pk}},
    token TEXT NOT NULL UNIQUE,
    dossier_id BIGINT NOT NULL REFERENCES dossiers (id),
    field TEXT NOT NULL DEFAULT '',
    name TEXT NOT NULL,
    mime TEXT NOT NULL,
    size BIGINT NOT NULL,
    hash TEXT NOT NULL REFERENCES blobs (hash),
    uploaded_at TEXT NOT NULL,
    uploaded_by BIGINT REFERENCES users (id)
);
CREATE INDEX dossier_attachments_dossier ON dossier_attachments (dossier_id, id);
CREATE INDEX dossier_attachments_hash ON dossier_attachments (hash);
