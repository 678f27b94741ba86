/**
 * The demo: the public record of the California–France Innovation Clusters initiative (GO-Biz and the
 * WCE Alliance, 2016) and of the PACA–San Diego blue-economy partnership (memorandum of 15 February 2017),
 * entered after the fact through the same commands an officer uses. Contacts are role addresses on
 * reserved example domains.
 */
import { deterministicUuid } from '../application/ids';

export const demoId = (name: string) => deterministicUuid('demo', name);

interface DemoOrganization {
  key: string;
  name: string;
  kind: string;
  country: 'US' | 'FR';
  region: string;
  sectors: string[];
  website?: string;
  contacts: { name: string; email: string; role?: string; language: 'en' | 'fr' }[];
}

const en = (name: string, email: string, role?: string) => ({ name, email, role, language: 'en' as const });
const fr = (name: string, email: string, role?: string) => ({ name, email, role, language: 'fr' as const });

export const DEMO_ORGANIZATIONS: DemoOrganization[] = [
  {
    key: 'gobiz',
    name: "Governor's Office of Business and Economic Development (GO-Biz)",
    kind: 'agency',
    country: 'US',
    region: 'California',
    sectors: ['ict_digital', 'biotech_health', 'blue_economy', 'energy_cleantech'],
    website: 'https://business.ca.gov',
    contacts: [en('International Affairs desk', 'international@gobiz.example.org', 'International affairs')],
  },
  {
    key: 'wce',
    name: 'West Coast Entrepreneurial Alliance',
    kind: 'association',
    country: 'US',
    region: 'California',
    sectors: ['ict_digital', 'digital_media_xr'],
    contacts: [en('Alliance office', 'contact@wce-alliance.example.org', 'Founder’s office')],
  },
  {
    key: 'san-diego',
    name: 'City of San Diego',
    kind: 'city',
    country: 'US',
    region: 'California',
    sectors: ['blue_economy', 'smart_territories'],
    contacts: [
      en("Mayor's international office", 'international@sandiego.example.org', 'International relations'),
    ],
  },
  {
    key: 'biocom',
    name: 'Biocom',
    kind: 'association',
    country: 'US',
    region: 'California',
    sectors: ['biotech_health'],
    contacts: [en('Global partnerships', 'global@biocom.example.org', 'Global partnerships')],
  },
  {
    key: 'paca',
    name: "Région Provence-Alpes-Côte d'Azur",
    kind: 'region',
    country: 'FR',
    region: "Provence-Alpes-Côte d'Azur",
    sectors: ['blue_economy', 'biotech_health', 'aerospace'],
    contacts: [
      fr(
        'Direction des relations internationales',
        'international@maregionsud.example.fr',
        'Relations internationales',
      ),
    ],
  },
  {
    key: 'aura',
    name: 'Région Auvergne-Rhône-Alpes',
    kind: 'region',
    country: 'FR',
    region: 'Auvergne-Rhône-Alpes',
    sectors: ['micro_nanotech', 'biotech_health'],
    contacts: [fr('Direction internationale', 'international@auvergnerhonealpes.example.fr')],
  },
  {
    key: 'nouvelle-aquitaine',
    name: 'Région Nouvelle-Aquitaine',
    kind: 'region',
    country: 'FR',
    region: 'Nouvelle-Aquitaine',
    sectors: ['aerospace', 'agrifood'],
    contacts: [fr('Direction de l’international', 'international@nouvelle-aquitaine.example.fr')],
  },
  {
    key: 'satt',
    name: 'SATT Sud-Est',
    kind: 'tech_transfer',
    country: 'FR',
    region: "Provence-Alpes-Côte d'Azur",
    sectors: ['biotech_health', 'blue_economy'],
    contacts: [fr('Transfert de technologie', 'contact@satt-sudest.example.fr', 'Business developer')],
  },
  {
    key: 'eurobiomed',
    name: 'Eurobiomed',
    kind: 'pole',
    country: 'FR',
    region: "Provence-Alpes-Côte d'Azur",
    sectors: ['biotech_health'],
    contacts: [fr('Pôle international', 'international@eurobiomed.example.fr', 'Chargée internationale')],
  },
  {
    key: 'pole-mer',
    name: 'Pôle Mer Méditerranée',
    kind: 'pole',
    country: 'FR',
    region: "Provence-Alpes-Côte d'Azur",
    sectors: ['blue_economy'],
    contacts: [fr('Développement international', 'international@polemermediterranee.example.fr')],
  },
  {
    key: 'tes',
    name: 'Transactions Électroniques Sécurisées',
    kind: 'pole',
    country: 'FR',
    region: 'Normandie',
    sectors: ['secure_transactions', 'ict_digital'],
    contacts: [fr('Relations internationales', 'international@pole-tes.example.fr')],
  },
  {
    key: 'aerospace-valley',
    name: 'Aerospace Valley',
    kind: 'pole',
    country: 'FR',
    region: 'Occitanie',
    sectors: ['aerospace'],
    contacts: [fr('International', 'international@aerospace-valley.example.fr')],
  },
  {
    key: 'minalogic',
    name: 'Minalogic',
    kind: 'pole',
    country: 'FR',
    region: 'Auvergne-Rhône-Alpes',
    sectors: ['micro_nanotech', 'ict_digital'],
    contacts: [fr('International', 'international@minalogic.example.fr')],
  },
  {
    key: 'lyonbiopole',
    name: 'Lyonbiopôle',
    kind: 'pole',
    country: 'FR',
    region: 'Auvergne-Rhône-Alpes',
    sectors: ['biotech_health'],
    contacts: [fr('International', 'international@lyonbiopole.example.fr')],
  },
  {
    key: 'systematic',
    name: 'Systematic Paris-Region',
    kind: 'pole',
    country: 'FR',
    region: 'Île-de-France',
    sectors: ['ict_digital', 'smart_territories'],
    contacts: [fr('International', 'international@systematic-paris-region.example.fr')],
  },
  {
    key: 'sonumerique',
    name: 'SoNumérique',
    kind: 'company',
    country: 'FR',
    region: 'Normandie',
    sectors: ['digital_media_xr', 'smart_territories'],
    contacts: [fr('Direction', 'contact@sonumerique.example.fr', 'Fondateur')],
  },
];

export const emailOf = (key: string) => DEMO_ORGANIZATIONS.find((o) => o.key === key)!.contacts[0]!.email;
