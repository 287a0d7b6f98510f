"""Word lists the demo organisation is made from (fictional people, real-sounding topics)."""

FIRST_NAMES = (
    "Ada Alan Amara Ana Anders Aiko Beatriz Bilal Bo Camille Carlos Chen Chidi Dana Daria Diego "
    "Elif Emeka Emma Farah Fatima Felix Grace Hana Hugo Ines Ingrid Isaac Jamal Jana Javier Jin "
    "Joao Kai Kavya Keiko Lars Layla Leo Lina Luca Maya Mei Mateo Nadia Nia Noah Olu Omar Priya "
    "Rafael Rania Rosa Sami Sara Sofia Tariq Tomas Uma Valentina Wei Yara Yusuf Zainab Zoe"
).split()

LAST_NAMES = (
    "Abara Almeida Andersen Bauer Becker Chen Costa Dahl Diaz Dubois Eze Fischer Garcia Gupta "
    "Haddad Hansen Ito Jansen Kaur Kim Kowalski Larsen Lopez Mensah Meyer Moreau Murphy Nakamura "
    "Nguyen Novak Okafor Olsen Park Patel Perez Petrov Quinn Rossi Sato Schmidt Silva Singh Sousa "
    "Suzuki Tanaka Torres Varga Wagner Weber Wong Yilmaz Zhang"
).split()

TEAMS = (
    "Platform",
    "Data",
    "Mobile",
    "Design",
    "Security",
    "Support",
    "Finance",
    "People",
    "Research",
    "Sales Engineering",
)

TOPICS = (
    "Rust",
    "Python",
    "Kubernetes",
    "Data Engineering",
    "Machine Learning",
    "UX Research",
    "Accessibility",
    "Security",
    "Observability",
    "Testing",
    "Frontend",
    "Databases",
    "Product Discovery",
    "Technical Writing",
    "Incident Response",
    "Cloud Costs",
    "Go",
    "TypeScript",
    "Statistics",
    "Leadership",
    "Mentoring",
    "Public Speaking",
    "Design Systems",
    "API Design",
    "Privacy",
    "Mobile",
    "Performance",
    "Open Source",
    "Agile Coaching",
    "SQL",
)

# (office, IANA zone): circles meet on their office's clock.
OFFICES = (
    ("Berlin", "Europe/Berlin"),
    ("New York", "America/New_York"),
    ("Sydney", "Australia/Sydney"),
    ("London", "Europe/London"),
    ("Sao Paulo", "America/Sao_Paulo"),
    ("Bangalore", "Asia/Kolkata"),
    ("Tokyo", "Asia/Tokyo"),
    ("Toronto", "America/Toronto"),
    ("Lagos", "Africa/Lagos"),
    ("Seattle", "America/Los_Angeles"),
)

SESSION_TITLES = (
    "Getting started",
    "Lessons from production",
    "A tour of the tooling",
    "Reading group",
    "Show and tell",
    "Patterns we like",
    "Mistakes we made",
    "Deep dive",
    "Q&A with the experts",
    "Hands-on lab",
    "Case study",
    "What's new this quarter",
    "Myths and facts",
    "Live demo",
    "Paper review",
    "Tips and tricks",
    "Retrospective",
    "Ask me anything",
    "From zero to one",
    "Office hours",
)

GUEST_SPEAKERS = (
    ("Dr. Miriam Ostrowski", "University Lab"),
    ("Tobias Lindqvist", "Open Source Foundation"),
    ("Aisha Bello", "Standards Body"),
    ("Kenji Watanabe", "Partner Company"),
    ("Lucia Ferreira", "Community Meetup"),
)
