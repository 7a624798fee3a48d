// Where actions may send requests. URLs can come from alert fields and model output, so the
// worker checks every destination: the host name first, then every address it resolves to (the
// connection then uses exactly the addresses that were checked, so DNS rebinding gains nothing).
//
//   RUNBOOK_EGRESS_DENY   comma-separated: categories (link-local, metadata, loopback, private),
//                         CIDRs and host names (`*.example.com` for a domain). Default:
//                         `link-local,metadata`, which covers every cloud's instance metadata.
//   RUNBOOK_EGRESS_ALLOW  if set, a destination must also match one of its entries (same forms).
//
// Unspecified, broadcast and multicast addresses are always refused.
import { BlockList, isIP } from 'node:net';

export const CATEGORIES: Readonly<Record<string, readonly string[]>> = {
  'link-local': ['169.254.0.0/16', 'fe80::/10'],
  // Instance metadata outside link-local: AWS over IPv6, Alibaba Cloud.
  metadata: ['fd00:ec2::254/128', '100.100.100.200/32'],
  loopback: ['127.0.0.0/8', '::1/128'],
  private: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', 'fc00::/7'],
};
const ALWAYS_REFUSED = ['0.0.0.0/8', '255.255.255.255/32', '224.0.0.0/4', '::/128', 'ff00::/8'];
const METADATA_HOSTS = ['metadata.google.internal', 'metadata.goog', 'metadata'];

interface Rules {
  addresses: BlockList;
  hosts: string[];
  entries: string[];
}

export interface EgressPolicy {
  deny: Rules;
  allow?: Rules;
}

export function egressPolicyFromEnv(env: NodeJS.ProcessEnv = process.env): EgressPolicy {
  const deny = rules(env.RUNBOOK_EGRESS_DENY ?? 'link-local,metadata', 'RUNBOOK_EGRESS_DENY');
  for (const cidr of ALWAYS_REFUSED) addCidr(deny.addresses, cidr);
  const allowText = env.RUNBOOK_EGRESS_ALLOW?.trim();
  return { deny, ...(allowText && { allow: rules(allowText, 'RUNBOOK_EGRESS_ALLOW') }) };
}

function rules(text: string, variable: string): Rules {
  const addresses = new BlockList();
  const hosts: string[] = [];
  const entries = text
    .split(',')
    .map((e) => e.trim().toLowerCase())
    .filter(Boolean);
  for (const entry of entries) {
    if (CATEGORIES[entry]) {
      for (const cidr of CATEGORIES[entry]!) addCidr(addresses, cidr);
      if (entry === 'metadata') hosts.push(...METADATA_HOSTS);
    } else if (entry.includes('/') || isIP(entry)) {
      if (!addCidr(addresses, entry.includes('/') ? entry : `${entry}/${isIP(entry) === 6 ? 128 : 32}`))
        throw new Error(`${variable}: \`${entry}\` is not a CIDR`);
    } else if (/^(\*\.)?[a-z0-9.-]+$/.test(entry)) {
      hosts.push(entry);
    } else {
      throw new Error(`${variable}: \`${entry}\` is not a category (${Object.keys(CATEGORIES).join(', ')}), a CIDR or a host name`);
    }
  }
  return { addresses, hosts, entries };
}

function addCidr(list: BlockList, cidr: string): boolean {
  const [network, bits] = cidr.split('/');
  const family = isIP(network ?? '');
  const prefix = Number(bits);
  if (family === 0 || !Number.isInteger(prefix) || prefix < 0 || prefix > (family === 4 ? 32 : 128)) return false;
  list.addSubnet(network!, prefix, family === 4 ? 'ipv4' : 'ipv6');
  return true;
}

const hostMatches = (host: string, patterns: readonly string[]) => patterns.some((p) => (p.startsWith('*.') ? host.endsWith(p.slice(1)) : host === p));

/** `::ffff:169.254.169.254` is 169.254.169.254. */
function plainAddress(address: string): { address: string; type: 'ipv4' | 'ipv6' } {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return { address: mapped[1]!, type: 'ipv4' };
  return { address, type: isIP(address) === 6 ? 'ipv6' : 'ipv4' };
}

/** Why the host name is refused before any lookup, or undefined. */
export function hostRefusal(policy: EgressPolicy, host: string): string | undefined {
  const name = host.toLowerCase().replace(/\.$/, '');
  if (hostMatches(name, policy.deny.hosts)) return `${name} is denied by RUNBOOK_EGRESS_DENY`;
  return undefined;
}

/** Why connecting to `address` (resolved from `host`) is refused, or undefined. */
export function addressRefusal(policy: EgressPolicy, host: string, address: string): string | undefined {
  const plain = plainAddress(address);
  if (policy.deny.addresses.check(plain.address, plain.type)) {
    const category = Object.entries(CATEGORIES).find(([, cidrs]) => {
      const list = new BlockList();
      cidrs.forEach((c) => addCidr(list, c));
      return list.check(plain.address, plain.type);
    })?.[0];
    return `${host} resolves to ${plain.address}${category ? ` (${category})` : ''}, which RUNBOOK_EGRESS_DENY refuses`;
  }
  const allow = policy.allow;
  if (allow && !hostMatches(host.toLowerCase(), allow.hosts) && !allow.addresses.check(plain.address, plain.type)) {
    return `${host} (${plain.address}) is not in RUNBOOK_EGRESS_ALLOW (${allow.entries.join(', ')})`;
  }
  return undefined;
}
