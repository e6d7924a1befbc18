/* gen_words.c - iqn-gen's built-in word lists (data only). */
#include "gen_words.h"

#define LIST(a) {(a), sizeof(a) / sizeof((a)[0])}

static const char *const en_function[] = {
    "the", "of", "and", "to", "in", "a", "for", "is", "that", "on", "with", "as", "are", "by", "this",
    "be", "from", "at", "or", "was", "an", "were", "have", "has", "it", "their", "which", "not", "can",
    "more", "other", "all", "also", "they", "who", "been", "these", "such", "into", "than", "its",
    "through", "most", "after", "before", "between", "each", "under", "about", "during", "while", "over",
    "only", "both", "new", "first", "some", "many", "would", "should", "may", "will", "must", "within",
    "across", "without", "per", "among", "where", "when", "how", "what", "there", "our", "we", "one",
    "two", "three", "same", "because", "then", "so", "if", "out", "up",
};

static const char *const fr_function[] = {
    "de", "la", "le", "et", "les", "des", "à", "en", "du", "un", "une", "pour", "dans", "que", "qui",
    "sur", "par", "au", "aux", "est", "sont", "ont", "avec", "plus", "ce", "cette", "ces", "leur",
    "leurs", "son", "sa", "ses", "pas", "ne", "été", "être", "avoir", "aussi", "ainsi", "entre", "selon",
    "lors", "après", "depuis", "chaque", "tous", "toutes", "tout", "autres", "autre", "sans", "sous",
    "dont", "où", "mais", "ou", "très", "peu", "deux", "trois", "nouvelles", "nouveau", "premier",
    "première", "elle", "elles", "ils", "nous", "on", "se", "même", "comme", "lorsque", "si", "donc",
    "encore", "déjà", "notamment", "afin", "auprès", "vers", "chez",
};

static const char *const en_domain[] = {
    "credential", "assessment", "nurses", "employers", "internationally", "educated", "professionals",
    "program", "licensure", "regulator", "bridging", "competency", "mentorship", "newcomers",
    "registration", "training", "language", "employment", "recognition", "qualifications", "engineers",
    "workplace", "skills", "experience", "support", "services", "evaluation", "immigrants", "Canadian",
    "practice", "profession", "occupation", "regulated", "pathway", "clinical", "placement", "labour",
    "market", "integration", "outcomes", "barriers", "applicants", "credentials", "assessments", "nurse",
    "nursing", "engineer", "engineering", "regulators", "regulatory", "competencies", "mentor", "mentors",
    "employer", "immigrant", "newcomer", "trained", "professional", "professions", "occupations",
    "occupational", "register", "licence", "license", "licensing", "certification", "certificate",
    "certified", "exam", "examination", "examinations", "qualification", "foreign", "international",
    "equivalency", "equivalence", "degree", "diploma", "diplomas", "transcript", "transcripts",
    "verification", "documentation", "documents", "pathways", "programs", "initiative", "initiatives",
    "pilot", "project", "projects", "funding", "grant", "grants", "loan", "loans", "microloan",
    "financial", "supports", "service", "settlement", "agency", "agencies", "college", "colleges",
    "university", "universities", "institution", "institutions", "languages", "benchmark", "benchmarks",
    "CLB", "proficiency", "fluency", "communication", "workplaces", "placements", "internship",
    "internships", "practicum", "supervised", "practices", "experienced", "provincial", "federal",
    "territorial", "jurisdiction", "jurisdictions", "mobility", "shortage", "shortages", "demand",
    "vacancy", "vacancies", "hiring", "recruitment", "retention", "onboarding", "orientation",
    "pre-arrival", "arrival", "outcome", "results", "data", "research", "survey", "surveys", "report",
    "reports", "analysis", "findings", "recommendations", "recommendation", "review", "reviews", "audit",
    "fairness", "fair", "transparent", "transparency", "timely", "barrier", "gaps", "gap", "delays",
    "delay", "backlog", "applicant", "application", "applications", "candidates", "candidate",
    "learners", "learner", "participants", "participant", "cohort", "cohorts", "curriculum", "module",
    "modules", "course", "courses", "workshop", "workshops", "webinar", "simulation", "online", "hybrid",
    "remote", "virtual", "partnership", "partnerships", "partner", "partners", "stakeholders",
    "consultation", "network", "networks", "collaboration", "coordination", "governance", "policy",
    "policies", "legislation", "act", "standards", "standard", "criteria", "requirements", "requirement",
    "eligibility", "eligible", "equivalent", "accredited", "accreditation", "skilled", "skill", "trades",
    "tradespeople", "apprenticeship", "apprentices", "journeyperson", "red-seal", "electrician",
    "electricians", "plumber", "welders", "welder", "carpenter", "mechanic", "technician", "technicians",
    "technologist", "technologists", "pharmacist", "pharmacists", "physician", "physicians", "doctor",
    "doctors", "dentist", "dentists", "teacher", "teachers", "educator", "educators", "accountant",
    "accountants", "architect", "architects", "lawyer", "lawyers", "veterinarian", "veterinarians",
    "physiotherapist", "physiotherapists", "therapist", "therapists", "paramedic", "paramedics",
    "midwife", "midwives", "dietitian", "dietitians", "social", "worker", "workers", "caregiver",
    "caregivers", "psychologist", "psychologists", "optometrist", "geoscientist", "geoscientists",
    "forester", "agrologist", "surveyor", "surveyors", "audiologist", "hygienist", "hygienists",
    "respiratory", "laboratory", "radiation", "licensed", "practical", "registered", "health",
    "healthcare", "hospital", "hospitals", "long-term", "care", "patients", "patient", "rural",
    "northern", "urban", "francophone", "anglophone", "bilingual", "minority", "communities",
    "community", "regional", "region", "women", "youth", "refugees", "refugee", "underemployment",
    "underemployed", "unemployment", "wages", "earnings", "income", "job", "jobs", "career", "careers",
    "counselling", "counsellor", "counsellors", "coaching", "navigation", "navigator", "navigators",
    "portal", "website", "toolkit", "guide", "guidelines", "handbook", "checklist", "fees", "cost",
    "costs", "timeline", "timelines", "months", "weeks", "year", "years", "annual", "quarterly",
    "milestone", "capacity", "scale", "sustainable", "innovation", "innovative", "digital", "technology",
    "artificial", "intelligence", "fast-track", "streamlined", "expedited", "provisional", "conditional",
    "restricted", "temporary", "permanent", "residents", "resident", "citizenship", "immigration",
    "economic", "growth", "productivity", "economy", "sector", "sectors", "industry", "industries",
    "manufacturing", "construction", "childcare", "early", "childhood", "education", "postsecondary",
    "secondary", "credentialing", "assessor", "assessors", "examiner", "examiners", "panel", "interview",
    "interviews", "portfolio", "portfolios", "prior", "learning", "PLAR", "gap-training", "upgrading",
    "refresher", "academic", "bachelor", "master", "doctoral", "thesis", "equity", "inclusion",
    "diversity", "anti-racism", "discrimination", "bias", "accessible", "accessibility", "outreach",
    "awareness", "engagement", "human", "resources", "small", "medium-sized", "enterprises",
    "businesses", "chamber", "commerce", "association", "associations", "council", "board", "ministry",
    "department", "office", "commissioner", "ombudsman", "appeal", "appeals", "decision", "decisions",
    "complaint", "complaints", "R&D", "<draft>",
};

static const char *const fr_domain[] = {
    "évaluation", "diplômes", "compétences", "reconnaissance", "infirmières", "employeurs", "personnes",
    "formées", "étranger", "programme", "ordre", "permis", "exercice", "passerelle", "mentorat",
    "immigrants", "formation", "emploi", "professionnels", "intégration", "inscription", "ingénieurs",
    "l'évaluation", "d'exercice", "nouveaux", "arrivants", "expérience", "soutien", "services",
    "qualifications", "travail", "milieu", "stage", "marché", "profession", "métier", "obstacles",
    "candidats", "évaluations", "diplôme", "infirmière", "infirmier", "infirmiers", "soins",
    "ingénieur", "ingénierie", "passerelles", "ordres", "compétence", "mentor", "mentore", "employeur",
    "l'employeur", "emplois", "immigrantes", "formés", "étrangère", "étrangers", "professionnel",
    "professionnelle", "professionnelles", "professions", "métiers", "certification", "certificat",
    "examen", "examens", "qualification", "équivalence", "équivalences", "grade", "relevé", "relevés",
    "notes", "vérification", "documents", "parcours", "programmes", "initiative", "initiatives",
    "projet", "projets", "pilote", "financement", "subvention", "subventions", "prêt", "prêts",
    "microprêts", "appui", "établissement", "organisme", "organismes", "collège", "collèges", "cégep",
    "cégeps", "université", "universités", "établissements", "formations", "langue", "langues",
    "linguistique", "francisation", "niveaux", "maîtrise", "communication", "stages", "placement",
    "clinique", "cliniques", "supervisé", "supervisée", "pratique", "pratiques", "canadienne",
    "canadien", "provincial", "provinciale", "fédéral", "fédérale", "territoire", "territoires",
    "mobilité", "pénurie", "pénuries", "main-d'œuvre", "demande", "postes", "vacants", "embauche",
    "recrutement", "rétention", "d'intégration", "accueil", "d'accueil", "orientation", "avant",
    "arrivée", "résultats", "données", "recherche", "enquête", "enquêtes", "rapport", "rapports",
    "analyse", "constats", "recommandations", "recommandation", "vérificateur", "équité", "équitable",
    "équitables", "transparence", "transparent", "délais", "délai", "obstacle", "lacunes", "lacune",
    "retards", "candidates", "candidature", "candidatures", "demandeurs", "apprenants", "apprenantes",
    "participants", "participantes", "cohorte", "cohortes", "cursus", "module", "modules", "cours",
    "atelier", "ateliers", "webinaire", "simulation", "ligne", "hybride", "distance", "virtuel",
    "partenariat", "partenariats", "partenaires", "intervenants", "consultation", "réseau", "réseaux",
    "collaboration", "concertation", "gouvernance", "politique", "politiques", "loi", "lois",
    "règlement", "règlements", "normes", "norme", "critères", "exigences", "exigence",
    "admissibilité", "admissibles", "agréé", "agrément", "qualifiés", "qualifiée", "apprentissage",
    "apprentis", "compagnon", "compagnonnage", "sceau", "électricien", "électriciens", "plombier",
    "soudeur", "soudeurs", "charpentier", "mécanicien", "technicien", "techniciens", "technologue",
    "technologues", "pharmacien", "pharmaciens", "médecin", "médecins", "dentiste", "dentistes",
    "enseignant", "enseignants", "enseignante", "éducatrice", "éducatrices", "comptable", "comptables",
    "architecte", "architectes", "avocat", "avocats", "vétérinaire", "vétérinaires",
    "physiothérapeute", "physiothérapeutes", "ergothérapeute", "paramédic", "ambulanciers",
    "sage-femme", "sages-femmes", "diététiste", "nutritionniste", "travailleur", "travailleurs",
    "travailleuse", "social", "sociale", "préposée", "préposés", "aidants", "psychologue",
    "psychologues", "optométriste", "géologue", "géoscientifique", "forestier", "agronome", "agronomes",
    "arpenteur", "audiologiste", "hygiéniste", "inhalothérapeute", "laboratoire", "radiologie",
    "auxiliaire", "autorisé", "autorisée", "santé", "hôpital", "hôpitaux", "longue", "durée", "CHSLD",
    "patients", "patientes", "régions", "rural", "rurale", "éloignées", "nordique", "urbain",
    "francophone", "francophones", "anglophone", "bilingue", "minoritaire", "minoritaires",
    "communauté", "communautés", "régional", "régionale", "femmes", "jeunes", "réfugiés", "réfugiées",
    "sous-emploi", "chômage", "salaires", "revenus", "carrière", "carrières", "counseling", "conseiller",
    "conseillère", "conseillers", "accompagnement", "navigateur", "portail", "site", "trousse", "guide",
    "lignes", "directrices", "liste", "frais", "coûts", "échéancier", "mois", "semaines", "année",
    "années", "annuel", "trimestriel", "étape", "capacité", "durable", "innovation", "novateur",
    "numérique", "technologie", "intelligence", "artificielle", "accéléré", "simplifié", "provisoire",
    "conditionnel", "restreint", "temporaire", "permanente", "résidents", "résidence", "citoyenneté",
    "immigration", "l'immigration", "économique", "croissance", "productivité", "économie", "secteur",
    "secteurs", "industrie", "industries", "fabrication", "construction", "garde", "petite", "enfance",
    "éducation", "postsecondaire", "secondaire", "évaluateur", "évaluatrices", "évaluateurs",
    "examinateurs", "jury", "entrevue", "entrevues", "portfolio", "acquis", "RAC", "mise", "niveau",
    "perfectionnement", "recyclage", "universitaire", "baccalauréat", "doctorat", "thèse", "inclusion",
    "diversité", "antiracisme", "discrimination", "biais", "accessible", "accessibilité",
    "sensibilisation", "mobilisation", "ressources", "humaines", "PME", "entreprises", "chambre",
    "commerce", "association", "associations", "conseil", "ministère", "bureau", "commissaire",
    "protecteur", "appel", "décision", "décisions", "plainte", "plaintes", "l'ordre", "d'emploi",
    "l'étranger", "qu'elles", "œuvre", "R&D", "«brouillon»",
};

static const char *const en_connectors[] = {"for", "and", "in", "of", "with"};
static const char *const fr_connectors[] = {"pour", "et", "de", "des", "dans", "en"};

static const char *const organizations[] = {
    "Northern Credential Assessment Centre",
    "Prairie Bridging Institute",
    "Atlantic Newcomer Employment Network",
    "Coastal Licensure Support Office",
    "Centre québécois de reconnaissance des acquis",
    "Réseau francophone d'intégration professionnelle",
    "Maple Valley Settlement Services",
    "Lakeshore Skills Partnership",
    "Foundry Engineers Pathway Society",
    "Harbourview College of Applied Learning",
    "Institut passerelle Saint-Laurent",
    "Collectif Nouveaux Horizons",
    "Mentors & Newcomers Alliance",
    "Bureau \"Premier Pas\" pour l'emploi",
    "Greenfield Regulatory Council",
    "Summit Health Workforce Agency",
    "Tri-River Employer Roundtable",
    "Polaris Immigrant Services Cooperative",
    "Cedar & Stone Trades Association",
    "Fondation Tremplin Carrière",
    "Association des professionnels formés à l'étranger",
    "Westbridge Competency Testing Inc.",
    "Evergreen Nursing Transition Program",
    "Aurora Labour Market Observatory",
    "Carrefour emploi-immigration des Cantons",
    "Pacific Rim Credential Exchange",
    "Red River Newcomer Hub",
    "Fundy Workforce Integration Project",
    "Boréal Formation Continue",
    "Keystone Accountants Bridging Society",
    "Granite City Mentorship Circle",
    "Observatoire des parcours professionnels",
    "Clearwater Pharmacy Bridging Program",
    "Northlight Teachers Qualification Service",
    "Société d'accueil des professionnels immigrants",
    "Riverside Interpretation & Language Centre",
    "Highline Engineering Licensure Clinic",
    "Ocean Gate Settlement Partnership",
    "Chinook Trades Recognition Office",
    "Laurentian Employer Coalition for Inclusion",
};

static const char *const given_names[] = {
    "Amira", "Benoît", "Chen", "Daniela", "Émilie", "Farid", "Gabriel", "Hana", "Ibrahim", "Joëlle",
    "Kwame", "Lucía", "Mathieu", "Nadia", "Olumide", "Priya", "Quentin", "Rosa", "Sanjay", "Thérèse",
    "Umar", "Valérie", "Wei", "Yasmin", "Zoé", "Andrew", "Catherine", "Marc", "Sarah", "Tomás",
};

static const char *const family_names[] = {
    "Abebe", "Bouchard", "Castillo", "Desjardins", "Eze", "Fortin", "Gagnon", "Haddad", "Iyer",
    "Jankowski", "Kaur", "Lavoie", "MacLeod", "Nguyen", "Okafor", "Pelletier", "Qureshi", "Roy",
    "Santos", "Tremblay", "Usman", "Vasquez", "Wong", "Yilmaz", "Zhang", "Côté", "O'Brien", "Bélanger",
    "Martin", "Singh",
};

static const char *const profession_priority[] = {
    "31301", "21300", "31102", "31120", "41220", "32101", "11100", "21310", "41221", "31302",
    "72200", "42202", "21301", "31202", "31110", "33102", "41300", "21200", "31203", "72300",
    "41101", "31103", "32102", "72310", "21231", "72106", "32120", "31200", "21311", "72410",
    "31121", "32103", "31112", "32111", "21330", "21320", "31111", "32121", "31300", "21102",
    "21111", "21203", "31303", "41200", "42201", "22310", "31204", "31209", "21101", "21110",
    "31201", "31101", "31100", "32200", "72201", "72400", "72402", "73400", "21211", "13110",
};

/* The list of a kind for a language. */
struct iqn_gen_list iqn_gen_words(int lang, enum iqn_gen_list_kind kind)
{
    static const struct iqn_gen_list lists[2][3] = {
        {LIST(en_function), LIST(en_domain), LIST(en_connectors)},
        {LIST(fr_function), LIST(fr_domain), LIST(fr_connectors)},
    };

    return lists[lang ? 1 : 0][kind];
}

/* Invented organization names. */
struct iqn_gen_list iqn_gen_organizations(void)
{
    struct iqn_gen_list l = LIST(organizations);

    return l;
}

/* Invented given names. */
struct iqn_gen_list iqn_gen_given_names(void)
{
    struct iqn_gen_list l = LIST(given_names);

    return l;
}

/* Invented family names. */
struct iqn_gen_list iqn_gen_family_names(void)
{
    struct iqn_gen_list l = LIST(family_names);

    return l;
}

/* Regulated professions, most discussed first. */
struct iqn_gen_list iqn_gen_profession_priority(void)
{
    struct iqn_gen_list l = LIST(profession_priority);

    return l;
}
