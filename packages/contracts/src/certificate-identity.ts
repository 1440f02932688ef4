import { OID } from './identifiers.js';

/**
 * Who a certificate says it is. Schakel's test PKI puts identity in subjectAltName URIs of the form
 * urn:oid:<OID>:<value> (URA, application id, organisation type; UZI number and role for professionals).
 * Node gives subjectAltName as text: "DNS:localhost, IP Address:127.0.0.1, URI:urn:oid:...".
 */
export interface CertificateIdentity {
  ura?: string;
  applicationId?: string;
  organisationType?: string;
  uziNumber?: string;
  roleCode?: string;
  /** Schakel's own roles: the switch point's system, and the operator's admin credential. */
  roles: string[];
}

export function identityFromSubjectAltName(san: string | undefined): CertificateIdentity {
  const id: CertificateIdentity = { roles: [] };
  for (const part of (san ?? '').split(/,\s*/)) {
    if (!part.startsWith('URI:')) continue;
    const uri = part.slice(4);
    if (uri.startsWith('urn:schakel:role:')) {
      id.roles.push(uri.slice('urn:schakel:role:'.length));
      continue;
    }
    const m = /^urn:oid:([0-9.]+):(.+)$/.exec(uri);
    if (m === null) continue;
    const [, oid, value] = m;
    switch (oid) {
      case OID.ura:
        id.ura = value;
        break;
      case OID.applicationId:
        id.applicationId = value;
        break;
      case OID.organisationType:
        id.organisationType = value;
        break;
      case OID.uziPerson:
        id.uziNumber = value;
        break;
      case OID.uziRole:
        id.roleCode = value;
        break;
      default:
        break;
    }
  }
  return id;
}
