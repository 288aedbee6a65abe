"""What the demo desk says: bilingual support conversations that read like real ones.

Each scenario is (language, category key, product key, type, subject, request, agent
answer, customer follow-up). Placeholders: {name} the customer's first name, {agent}
the agent's first name, {n} a number that varies.
"""

from __future__ import annotations

from typing import Any

CATEGORIES: list[tuple[str, str, str, list[dict[str, Any]]]] = [
    # key, English, French, fields
    ("billing", "Billing and payments", "Facturation et paiements", [
        {"key": "invoice", "label": "Invoice number", "label_fr": "Numéro de facture", "kind": "text"},
        {"key": "amount", "label": "Amount (EUR)", "label_fr": "Montant (EUR)", "kind": "number"},
    ]),
    ("orders", "Orders and shipping", "Commandes et livraison", [
        {"key": "order", "label": "Order number", "label_fr": "Numéro de commande", "kind": "text", "required": True},
    ]),
    ("install", "Installation and configuration", "Installation et configuration", [
        {"key": "os", "label": "Operating system", "label_fr": "Système d'exploitation", "kind": "choice",
         "choices": [{"value": "windows", "label": "Windows"}, {"value": "macos", "label": "macOS"},
                     {"value": "linux", "label": "Linux"}]},
    ]),
    ("hardware", "Hardware, warranty and repairs", "Matériel, garantie et réparations", [
        {"key": "serial", "label": "Serial number", "label_fr": "Numéro de série", "kind": "text"},
        {"key": "purchased", "label": "Purchase date", "label_fr": "Date d'achat", "kind": "date"},
    ]),
    ("hosting", "Hosting and incidents", "Hébergement et incidents", [
        {"key": "domain", "label": "Domain", "label_fr": "Domaine", "kind": "text"},
    ]),
    ("account", "Account and sign-in", "Compte et connexion", []),
]  # fmt: skip

PRODUCTS = [
    ("cloud", "Comptoir Cloud", "Comptoir Cloud"),
    ("router", "R200 router", "Routeur R200"),
    ("hosting", "Pro hosting", "Hébergement Pro"),
]

SCENARIOS = [
    ("en", "billing", None, "question", "Charged twice for the November invoice",
     "Hello,\n\nOur card was charged twice for invoice INV-{n}. Could you refund the duplicate payment?\n\nThanks,\n{name}",
     "Hi {name},\n\nYou are right: the payment went through twice because of a timeout on our payment provider's side. I have refunded the duplicate; it should appear on your statement within 5 business days.\n\nBest regards,\n{agent}",
     "Thank you, I can see the refund pending."),
    ("fr", "billing", None, "question", "Facture au mauvais nom de société",
     "Bonjour,\n\nNotre facture n° F-{n} porte l'ancienne raison sociale. Pouvez-vous la rééditer au nom de la nouvelle société ?\n\nCordialement,\n{name}",
     "Bonjour {name},\n\nC'est corrigé : vous trouverez la facture rééditée dans votre espace client, rubrique **Factures**. L'ancienne a été annulée.\n\nBonne journée,\n{agent}",
     "Parfait, merci beaucoup."),
    ("en", "orders", None, "question", "Where is my order?",
     "My order #{n} was supposed to arrive on Monday and the tracking page has not moved since Friday.",
     "Hi {name}, the carrier confirms the parcel is at their local depot after a sorting delay. Delivery is planned for tomorrow before 1 pm. I will keep an eye on it.",
     "It arrived this morning, thanks!"),
    ("fr", "orders", "router", "complaint", "Colis reçu endommagé",
     "Bonjour, le colis de la commande {n} est arrivé écrasé et le routeur ne s'allume pas. Je joins des photos.",
     "Bonjour {name}, toutes nos excuses. Nous vous envoyons un routeur de remplacement en express aujourd'hui ; une étiquette de retour gratuite est jointe à cet e-mail pour l'appareil abîmé.",
     "Merci pour la rapidité, le nouveau routeur fonctionne."),
    ("en", "install", "cloud", "question", "Installer stops at 80% on macOS",
     "The desktop app installer freezes at 80% on macOS 15. I tried twice and rebooted in between.",
     "Hi {name}, this happens when an older version is still running in the background. Please quit it from the menu bar (or run `killall ComptoirSync`), then start the installer again. Let me know how it goes.",
     "That was it, the installation finished."),
    ("fr", "install", "router", "question", "Configuration du VPN sur le R200",
     "Bonjour,\n\nJe n'arrive pas à configurer le VPN site à site sur le routeur R200 : la connexion s'établit puis tombe au bout de deux minutes.",
     "Bonjour {name},\n\nLe délai de renégociation par défaut est trop court avec certains équipements. Dans **Réseau > VPN > Avancé**, passez la durée de vie IKE à 28800 secondes et activez le *Dead Peer Detection*. Dites-moi si cela règle le problème.",
     "Ça tient depuis ce matin, merci !"),
    ("en", "hardware", "router", "incident", "R200 reboots every few hours",
     "Since last week our R200 reboots on its own every 3 or 4 hours. Firmware is up to date.",
     "Hi {name}, thank you for the logs. The power supply reports voltage drops just before each reboot, which points to a faulty adapter. It is under warranty: I have opened a replacement (RMA-{n}); the new adapter ships today.",
     "The new adapter solved it."),
    ("fr", "hardware", "router", "incident", "Demande de retour sous garantie",
     "Bonjour, le port WAN de notre routeur ne fonctionne plus. L'appareil a été acheté il y a 8 mois. Comment procéder pour la garantie ?",
     "Bonjour {name}, l'appareil est bien sous garantie. J'ai créé le retour RMA-{n} : imprimez l'étiquette jointe, déposez le colis en point relais, et nous vous expédions un appareil neuf dès réception.",
     "Colis déposé ce matin."),
    ("en", "hosting", "hosting", "incident", "Website down with a 502 error",
     "Our site returns 502 Bad Gateway since 9:40 this morning. Nothing changed on our side.",
     "Hi {name}, one of the load balancers of your cluster lost its health checks after a kernel update. Traffic has been moved to the standby node and your site is back. We are writing a post-incident report and will share it.",
     "Confirmed, the site is up again. Thanks for the quick fix."),
    ("fr", "hosting", "hosting", "incident", "Certificat SSL expiré",
     "Bonjour, le navigateur affiche « certificat expiré » sur notre boutique depuis cette nuit.",
     "Bonjour {name}, le renouvellement automatique a échoué car l'enregistrement DNS de validation avait été supprimé. Je l'ai recréé et le certificat est renouvelé ; le site est de nouveau accessible en HTTPS.",
     "Tout est rentré dans l'ordre, merci."),
    ("en", "account", None, "question", "Cannot reset my password",
     "The password reset email never arrives. I checked the spam folder.",
     "Hi {name}, your company's mail server was rejecting our messages because of a strict SPF rule. I have sent the reset link again from our secondary address; it should reach you now.",
     "Got it, I am back in."),
    ("fr", "account", None, "question", "Ajouter un collègue à notre compte",
     "Bonjour, comment donner accès à notre espace à une nouvelle collègue ?",
     "Bonjour {name}, elle peut créer un compte avec son adresse professionnelle : comme votre organisation partage ses demandes, elle verra automatiquement les tickets de l'équipe. Je peux aussi l'ajouter moi-même si vous me donnez son adresse.",
     "Elle a créé son compte, merci."),
    ("en", "billing", None, "task", "Switch our subscription to yearly billing",
     "We would like to move from monthly to yearly billing from next month. Is there a discount?",
     "Hi {name}, yes: yearly billing saves two months. I have scheduled the switch for the 1st; the first yearly invoice will be issued then, prorated for the current month.",
     "Great, thanks for arranging it."),
    ("fr", "orders", None, "question", "Modifier l'adresse de livraison",
     "Bonjour, est-il encore possible de changer l'adresse de livraison de la commande {n} ? Nous avons déménagé.",
     "Bonjour {name}, la commande n'était pas encore partie : l'adresse est mise à jour et le colis partira demain vers la nouvelle adresse.",
     "Merci pour votre réactivité."),
    ("en", "install", "cloud", "problem", "Sync conflicts after the 4.2 update",
     "After updating to 4.2 several users see duplicate files named \"(conflict)\".",
     "Hi {name}, we reproduced it: 4.2 compares timestamps with a one-second precision on some network drives. A fix is in 4.2.1, released today. Updating clears new conflicts; the existing copies can be deleted safely.",
     "Updated everyone to 4.2.1, no new conflicts so far."),
    ("fr", "hosting", "hosting", "question", "Augmenter l'espace disque",
     "Bonjour, nous arrivons à 90 % de l'espace disque de notre offre. Quelles sont les options ?",
     "Bonjour {name}, vous pouvez ajouter des tranches de 50 Go depuis votre espace client, sans interruption de service. Je vous ai aussi envoyé la liste des dossiers de journaux les plus volumineux, qui peuvent être purgés.",
     "Nous avons ajouté 50 Go, merci du conseil."),
]  # fmt: skip

INTERNAL_NOTES = {
    "en": [
        "Checked the payment provider's dashboard: duplicate confirmed.",
        "Customer is on the Business plan; priority support applies.",
        "Escalated to level 2 for the logs analysis.",
    ],
    "fr": [
        "Vérifié côté prestataire de paiement : doublon confirmé.",
        "Client sous contrat Business : support prioritaire.",
        "Transmis au niveau 2 pour l'analyse des journaux.",
    ],
}

EXTRA_CUSTOMERS = [
    ("en", "Olivia Brown"), ("en", "Noah Wilson"), ("en", "Emma Taylor"), ("en", "Liam Clark"),
    ("en", "Ava Lewis"), ("en", "Mason Young"), ("fr", "Chloé Girard"), ("fr", "Louis Roux"),
    ("fr", "Inès Fournier"), ("fr", "Gabriel Mercier"), ("fr", "Léa Lambert"), ("fr", "Arthur Fontaine"),
]  # fmt: skip
