# Textes des pages web (templates/web), en français. Mêmes clés que en/pages.ftl.

skip-to-content = Aller au contenu
nav-label = Navigation principale
nav-home = Accueil
nav-register = Enregistrer un produit
nav-registrations = Enregistrements
nav-statements = Relevés
nav-scorecard = Tableau de bord
nav-team = Équipe
nav-adjust = Ajouter un ajustement
nav-close-period = Clôturer une période
nav-dealers = Revendeurs
nav-products = Produits
nav-programs = Programmes
nav-signals = Signaux de fraude
nav-people = Utilisateurs
area-dealer = Portail revendeur
area-finance = Finance
area-admin = Administration
sign-out = Se déconnecter
sign-in = Se connecter
required-mark = (obligatoire)
error-prefix = Erreur :
error-summary-title = Il y a un problème
error-email = Saisissez une adresse e-mail, par exemple nom@exemple.fr
save = Enregistrer
cancel = Annuler
back = Retour

landing-title = Enregistrements de garantie et primes revendeurs
landing-lead = Les pages revendeurs et finance de { $manufacturer }.
landing-dealers = Les revendeurs enregistrent les produits qu'ils vendent, suivent leurs primes et leur tableau de bord.
landing-finance = La finance vérifie, approuve et paie les relevés des revendeurs.
landing-admins = Les administrateurs gèrent les revendeurs, les produits, les programmes et les utilisateurs.
landing-customers = Vous avez acheté un produit ? Les liens des e-mails reçus mènent à vos propres pages, sans connexion.

sign-in-lead = Saisissez votre adresse e-mail professionnelle. Nous vous enverrons un lien de connexion.
field-work-email = Adresse e-mail professionnelle
sign-in-send = M'envoyer un lien de connexion
sign-in-no-account = Pas encore de compte ? Demandez à votre responsable ou à l'administrateur du fabricant de vous inviter.
sign-in-dead-link = Ce lien de connexion a déjà servi ou a expiré (un lien fonctionne une fois, pendant { $minutes } minutes). Demandez-en un nouveau ci-dessous.
sign-in-expired-form = Ce formulaire a expiré ou ne vient pas de ce site. Veuillez réessayer.
sign-in-not-sent = L'e-mail n'a pas pu être envoyé pour le moment. Réessayez dans une minute.
signed-out = Vous êtes déconnecté.
sign-in-check-email = Consultez vos e-mails
sign-in-sent = Si { $email } a un compte, nous lui avons envoyé un lien de connexion. Le lien fonctionne une fois, pendant { $minutes } minutes.
sign-in-sent-help = Ouvrez l'e-mail sur cet appareil et choisissez « Me connecter ». Rien reçu ? Vérifiez vos indésirables ou demandez un nouveau lien.
sign-in-again = Demander un nouveau lien
sign-in-as = Se connecter en tant que { $name }
sign-in-continue = Continuer et me connecter
sign-in-not-you = Ce n'est pas vous ? Fermez cette page : rien ne se passe tant que vous ne continuez pas.

field-name = Nom
field-email = E-mail
field-role = Rôle
field-page-language = Langue des pages
account-title = Votre compte
account-sessions = Appareils connectés
account-sessions-help = Connecté sur un appareil partagé ou perdu ? Déconnectez-vous partout ; un nouveau lien vous reconnectera.
account-sign-out-everywhere = Se déconnecter partout

role-dealer_staff = Employé revendeur
role-dealer_manager = Responsable revendeur
role-finance_clerk = Comptable
role-finance_approver = Approbateur finance
role-admin = Administrateur
