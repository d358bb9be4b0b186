"""French word lists the demo portfolio is built from: trades, names, streets and towns."""

TRADES = (
    "Boulangerie", "Boucherie", "Menuiserie", "Charpente", "Plomberie", "Électricité",
    "Transports", "Garage", "Carrosserie", "Maçonnerie", "Couverture", "Peinture",
    "Imprimerie", "Pharmacie", "Librairie", "Fromagerie", "Brasserie", "Restaurant",
    "Hôtel", "Pépinières", "Jardinerie", "Serrurerie", "Métallerie", "Chaudronnerie",
    "Ambulances", "Taxis", "Cabinet", "Laboratoire", "Clinique vétérinaire", "Agence",
    "Distribution", "Négoce", "Quincaillerie", "Scierie", "Vins", "Caves", "Salaisons",
    "Conserverie", "Terrassement", "Travaux publics", "Nettoyage", "Informatique",
    "Architecture", "Géomètres", "Optique", "Bureautique", "Climatisation", "Isolation",
)

LEGAL_FORMS = ("SARL", "SAS", "SASU", "EURL", "SA", "SCI", "SNC", "EI")

SUFFIXES = ("& Fils", "Frères", "et Associés", "Père & Fils", "Services", "Industrie",
            "Bâtiment", "Ouest", "Sud", "Est", "Nord", "Centre")

PLACES = ("du Val", "des Tilleuls", "de la Gare", "du Centre", "des Halles", "du Port",
          "de l'Étang", "du Moulin", "des Vignes", "de la Forêt", "du Lac", "des Prés")

FAMILY_NAMES = (
    "Martin", "Bernard", "Thomas", "Petit", "Robert", "Richard", "Durand", "Dubois",
    "Moreau", "Laurent", "Simon", "Michel", "Lefèvre", "Leroy", "Roux", "David", "Bertrand",
    "Morel", "Fournier", "Girard", "Bonnet", "Dupont", "Lambert", "Fontaine", "Rousseau",
    "Vincent", "Muller", "Lefebvre", "Faure", "André", "Mercier", "Blanc", "Guérin",
    "Boyer", "Garnier", "Chevalier", "François", "Legrand", "Gauthier", "Garcia", "Perrin",
    "Robin", "Clément", "Morin", "Nicolas", "Henry", "Roussel", "Mathieu", "Gautier",
    "Masson", "Marchand", "Duval", "Denis", "Dumont", "Marie", "Lemaire", "Noël", "Meyer",
    "Dufour", "Meunier", "Brun", "Blanchard", "Giraud", "Joly", "Rivière", "Lucas", "Brunet",
    "Gaillard", "Barbier", "Arnaud", "Martinez", "Gérard", "Roche", "Renard", "Schmitt",
    "Roy", "Leroux", "Colin", "Vidal", "Caron", "Picard", "Roger", "Fabre", "Aubert",
    "Lemoine", "Renaud", "Dumas", "Lacroix", "Olivier", "Philippe", "Bourgeois", "Pierre",
    "Benoît", "Rey", "Leclerc", "Payet", "Rolland", "Leclercq", "Guillaume", "Lecomte",
)

FIRST_NAMES = (
    "Jean", "Marie", "Pierre", "Nathalie", "Michel", "Isabelle", "Philippe", "Sylvie",
    "Alain", "Catherine", "Nicolas", "Françoise", "Christophe", "Sandrine", "Stéphane",
    "Valérie", "Laurent", "Christine", "Frédéric", "Céline", "Julien", "Sophie", "Olivier",
    "Aurélie", "Thomas", "Émilie", "Sébastien", "Julie", "David", "Camille", "Antoine",
    "Claire", "Mathieu", "Hélène", "Vincent", "Élodie", "Guillaume", "Caroline", "Benoît",
    "Anne", "Romain", "Laure", "Maxime", "Pauline", "Hugo", "Léa", "Lucas", "Chloé",
    "Louis", "Manon", "Arthur", "Inès", "Gabriel", "Jeanne", "Raphaël", "Louise",
)

STREET_TYPES = ("rue", "avenue", "boulevard", "chemin", "allée", "impasse", "place", "route")

STREET_NAMES = (
    "de la République", "Victor Hugo", "Jean Jaurès", "du Général de Gaulle", "Pasteur",
    "de la Paix", "des Écoles", "de l'Église", "du Marché", "Gambetta", "Jules Ferry",
    "de la Liberté", "des Lilas", "du Stade", "Émile Zola", "Carnot", "Voltaire",
    "des Acacias", "du 8 Mai 1945", "de Verdun", "de la Mairie", "des Peupliers",
    "Anatole France", "Pierre Curie", "Saint-Martin", "de Bretagne", "du Château",
    "des Artisans", "de l'Industrie", "des Forges", "Denis Papin", "Gustave Eiffel",
)

# Real postal codes with their town (one code per town is enough for the demo).
TOWNS = (
    ("75011", "Paris"), ("75015", "Paris"), ("69003", "Lyon"), ("13008", "Marseille"),
    ("31000", "Toulouse"), ("33000", "Bordeaux"), ("44000", "Nantes"), ("59000", "Lille"),
    ("67000", "Strasbourg"), ("35000", "Rennes"), ("34000", "Montpellier"), ("06000", "Nice"),
    ("38000", "Grenoble"), ("21000", "Dijon"), ("49000", "Angers"), ("37000", "Tours"),
    ("45000", "Orléans"), ("76000", "Rouen"), ("14000", "Caen"), ("51100", "Reims"),
    ("87000", "Limoges"), ("63000", "Clermont-Ferrand"), ("29200", "Brest"),
    ("56100", "Lorient"), ("17000", "La Rochelle"), ("64000", "Pau"), ("65000", "Tarbes"),
    ("80000", "Amiens"), ("57000", "Metz"), ("54000", "Nancy"), ("25000", "Besançon"),
    ("68100", "Mulhouse"), ("42000", "Saint-Étienne"), ("30000", "Nîmes"),
    ("84000", "Avignon"), ("83000", "Toulon"), ("72000", "Le Mans"), ("53000", "Laval"),
    ("86000", "Poitiers"), ("79000", "Niort"), ("24000", "Périgueux"), ("47000", "Agen"),
    ("81000", "Albi"), ("12000", "Rodez"), ("15000", "Aurillac"), ("03100", "Montluçon"),
    ("58000", "Nevers"), ("89000", "Auxerre"), ("10000", "Troyes"),
    ("08000", "Charleville-Mézières"),
    ("62000", "Arras"), ("50100", "Cherbourg-en-Cotentin"), ("22000", "Saint-Brieuc"),
    ("85000", "La Roche-sur-Yon"), ("16000", "Angoulême"), ("19100", "Brive-la-Gaillarde"),
    ("26000", "Valence"), ("73000", "Chambéry"), ("74000", "Annecy"), ("01000", "Bourg-en-Bresse"),
)

EMAIL_DOMAINS = ("orange.fr", "free.fr", "gmail.com", "laposte.net", "sfr.fr", "wanadoo.fr")

# Number prefixes (after +33) that libphonenumber accepts for every following digit.
LANDLINE_PREFIXES = ("14", "15", "23", "32", "38", "47", "55", "56")
MOBILE_PREFIXES = ("61", "62", "64", "65", "67", "68", "75", "76", "77", "78")
