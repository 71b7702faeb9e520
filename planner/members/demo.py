"""The demo network: Maroc Cluster and its 13 members, as the founding article gives them."""

from datetime import date

from planner.extensions import db
from planner.members import rules
from planner.members.models import Network

DEMO_PASSWORD = "demo-password-2016"  # noqa: S105 - published demo login, loaded only on demand

# (name, short name, sector, city). The article names some clusters; the others are
# named by their sector and city, and no city is invented where the article gives none.
MEMBERS = [
    ("Morocco Numeric Cluster", "MNC", "Technologies de l'information et de la communication", ""),
    (
        "Cluster électronique, mécatronique et mécanique du Maroc",
        "CE3M",
        "Électronique et mécatronique",
        "",
    ),
    (
        "Cluster Océanopôle de Tan-Tan",
        "Océanopôle",
        "Valorisation des produits de la mer",
        "Tan-Tan",
    ),
    ("Cluster Agadir Haliopôlis", "Haliopôlis", "Valorisation des produits de la mer", "Agadir"),
    (
        "Cluster Menara de Marrakech",
        "Menara",
        "Produits de luxe de l'agroalimentaire et du cosmétique",
        "Marrakech",
    ),
    ("Cluster textile à usage technique", "Textile technique", "Textile technique", ""),
    ("Cluster denim & casual wear", "Denim", "Tissus de jeans", ""),
    (
        "Cluster des matériaux de construction et de l'efficacité énergétique de Settat",
        "Matériaux Settat",
        "Matériaux de construction et efficacité énergétique",
        "Settat",
    ),
    ("Cluster solaire", "Solaire", "Technologies solaires", ""),
    (
        "Cluster environnement et développement durable de Casablanca",
        "Environnement",
        "Environnement et développement durable",
        "Casablanca",
    ),
    (
        "Cluster biotechnologies et agro-industrie de Meknès",
        "Biotech Meknès",
        "Biotechnologies et agro-industrie",
        "Meknès",
    ),
    ("Cluster Smart City", "Smart City", "Ville intelligente", "Casablanca"),
    (
        "Cluster Smart City et économie verte d'Oujda",
        "Smart City Oujda",
        "Smart City et économie verte",
        "Oujda",
    ),
]


def load_members_demo() -> Network:
    network = Network(
        name="Maroc Cluster",
        founded_on=date(2014, 12, 1),
        timezone="Africa/Casablanca",
        default_language="fr",
        currency="MAD",
        quorum_percent=50,
        max_proxies_per_holder=1,
    )
    db.session.add(network)
    members = {}
    for name, short_name, sector, city in MEMBERS:
        members[short_name] = rules.create_member(
            None,
            name=name,
            short_name=short_name,
            sector=sector,
            city=city,
            joined_on=date(2014, 12, 1),
        )
    network.secretariat_member_id = members["CE3M"].id

    # One hash for every demo account: each scrypt hash costs a few tenths of a second.
    password_hash = rules.hash_password(DEMO_PASSWORD)
    for member in members.values():
        user = rules.create_user(
            None,
            email=f"director.{member.slug}@example.org",
            full_name=f"Direction {member.short_name}",
            member_id=member.id,
            is_secretariat=member.short_name == "CE3M",
        )
        user.password_hash = password_hash
    for email, full_name, role in (
        ("secretariat@example.org", "Secrétariat de Maroc Cluster", "is_secretariat"),
        ("observer@example.org", "Observateur", "is_observer"),
    ):
        user = rules.create_user(None, email=email, full_name=full_name, **{role: True})
        user.password_hash = password_hash
    db.session.flush()
    return network
