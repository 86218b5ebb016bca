"""Brazilian Portuguese: how customers ask for their data-protection rights (the pattern language: ``templating``)."""

from consent.request_phrases.templating import Lexicon
from consent.rights import Right

LEXICON = Lexicon(
    slots={
        "filler": (
            r"por favor|pfv|pf|pfvr|porfavor|todos|todas|tambem|ja|agora|imediatamente|definitivamente|completamente|"
            r"totalmente|de vez|logo|voces|vcs|vc|voce|pra mim|para mim|de uma vez|urgente|o quanto antes|gentileza"
        ),
        "adj": r"pessoais|cadastrais|salvos|armazenados|registrados",
        "business": (
            r"(?:do|da|dos|das|de|no|na|nos|nas|para o|para a|pro|pra) (?:meu |minha |ultimo |ultima )?(?:pedido|"
            r"pedidos|compra|compras|entrega|encomenda|cartao|pagamento|fatura|boleto|reserva|agendamento|contrato|"
            r"nota fiscal|frete|plano|assinatura|produto|consulta|devolucao|troca)"
        ),
        # After "my data": mobile data, and data that are not about the person (login, bank, payment details).
        "other_data": (
            r"moveis|movel|de internet|da internet|do celular|do chip|4g|5g|de acesso|de login|bancarios|"
            r"de pagamento|de entrega|do cartao"
        ),
        "data": (
            r"(?:(?:de )?(?:todos |todas )?(?:os|as|dos|das|aos|nos|pelos) )?(?:meus|minhas|nossos) (?:dados|"
            r"informacoes|infos)(?: (?:{adj}))?(?! {business})(?! (?:{other_data}))"
            r"|(?:(?:os|dos|aos|todos os|de todos os) )?dados (?:pessoais|cadastrais)(?! {business})"
            r"|(?:(?:os|dos|aos|todos os|de todos os|as|das|todas as) )?(?:dados|informacoes) que (?:voces|vcs|vc|"
            r"voce|a empresa|a loja|o banco) (?:tem|possuem|guardam|armazenam|coletaram|tratam|mantem|salvaram|"
            r"guardaram|armazenaram|sabem) (?:(?:ainda|ai) )?(?:sobre mim|de mim|a meu respeito|no meu nome|"
            r"no meu cpf)"
            r"|tudo (?:o )?que (?:voces|vcs|vc|voce|a empresa) (?:tem|sabem|guardam|possuem) (?:sobre mim|de mim|"
            r"a meu respeito)"
        ),
        "account": (
            r"(?:(?:o|a|do|da) )?(?:meu|minha) (?:conta|cadastro|perfil|usuario|login|registro)(?! {business})"
            r"(?! (?:de luz|de agua|de energia|corrente|bancaria|de telefone))"
        ),
        "field": (
            r"(?:(?:o|do) )?meu (?:nome(?: completo)?|sobrenome|nome social|endereco(?: de e ?mail)?|e ?mail|telefone|"
            r"celular|numero(?: de (?:telefone|celular|whatsapp))?|cpf|rg|cep|whatsapp)(?! {business})"
            r"|(?:(?:a|da) )?minha (?:data de nascimento)"
            r"|{data}"
        ),
        "consent": r"(?:(?:o|do|meu|o meu|qualquer|todo) )?(?:meu )?consentimentos?",
        "erase": (
            r"apagar|apague|apaguem|apaga|apagarem|excluir|exclua|excluam|exclui|excluirem|deletar|delete|deletem|"
            r"deleta|deletarem|eliminar|elimine|eliminem|remover|remova|removam|remove"
        ),
        "marketing": (
            r"marketing|publicidade|propaganda|propagandas|anuncios|fins comerciais|ofertas|promocoes|perfilamento"
        ),
        "wrong": (
            r"errad[oa]s?|incorret[oa]s?|desatualizad[oa]s?|escrit[oa]s? errad[oa]s?|(?:com|cheio de) erros?|"
            r"inexat[oa]s?"
        ),
        "provider": (r"empresa|fornecedor|operadora|prestador|servico|banco|plataforma|loja|seguradora|controlador"),
    },
    rights={
        Right.ERASURE: (
            r"(?:{erase}) {gap}(?:{data}|{account})",
            r"(?:quero|gostaria|solicito|peco|preciso|desejo) {gap}(?:que )?{gap}(?:{data}|{account}) "
            r"(?:(?:sejam|seja|fiquem|fique|fossem|fosse) )?(?:apagad|excluid|deletad|eliminad|removid)[oa]s?",
            r"(?:exclusao|eliminacao|remocao|apagamento) {gap}(?:{data}|{account})",
            r"direito ao esquecimento|direito (?:de|a) (?:exclusao|eliminacao|ser esquecido)",
            r"(?:{erase}) {gap}(?:(?:o |a )?(?:meu|minha) \w+ |me )?(?:do|da|dos|das) (?:seu |sua |seus |suas )?"
            r"(?:sistema|sistemas|banco de dados|base de dados|cadastro|registros|base)",
        ),
        Right.ACCESS: (
            r"(?:copia|relatorio|lista|extrato|resumo) {gap}(?:{data})",
            r"acesso {gap}(?:{data})",
            r"quais (?:sao )?(?:os )?(?:dados|informacoes)(?: pessoais)? (?:que )?(?:voces|vcs|vc|voce|a empresa) "
            r"(?:tem|possuem|guardam|armazenam|coletam|coletaram|tratam|mantem|salvaram|guardaram|sabem) "
            r"(?:(?:ainda|ai) )?(?:sobre mim|de mim|a meu respeito|no meu nome|no meu cpf)",
            r"(?:me (?:envi\w*|mand\w*|pass\w*|encaminh\w*)|(?:envi\w*|mand\w*|encaminh\w*) me) {gap}(?:{data})",
            r"direito (?:de|ao) acesso|confirmacao (?:da existencia )?de tratamento",
        ),
        Right.PORTABILITY: (
            r"portabilidade (?:dos |de )?(?:meus )?dados|direito (?:a|de) portabilidade",
            r"(?:(?:copia|exportacao|arquivo) (?:de |dos )?)?(?:{data}) {gap}em (?:um )?formato (?:estruturado|"
            r"legivel|eletronico|digital|csv|json|xml|excel|interoperavel|aberto)",
            r"(?:transferir|transfira|transfiram|enviar|envie|enviem|passar|passe|levar|mandar|portar) {gap}(?:{data}) "
            r"{gap}(?:para|pra|a) (?:uma |um )?(?:outra|outro|nova|novo) (?:{provider})",
            r"(?:exportar|exportacao) {gap}(?:{data})",
        ),
        Right.RECTIFICATION: (
            r"(?:corrigir|corrija|corrijam|corrige|retificar|retifique|retifiquem|arrumar|arrume|arrumem|consertar|"
            r"conserte|acertar|acerte|acertem) {gap}(?:{field})",
            r"(?:{field}) nao (?:esta|estao|ta|tao|consta|constam) (?:corret|cert)[oa]s?",
            r"(?:{field}) (?:esta|estao|ta|tao|saiu|sairam|veio|vieram|aparece|aparecem|consta|constam|foi|foram) "
            r"{gap}(?:{wrong})",
            r"(?:correcao|retificacao) {gap}(?:de |do |dos )?(?:{field})|direito (?:de|a) (?:correcao|retificacao)",
        ),
        Right.RESTRICTION: (
            r"bloqueio {gap}(?:{data})|(?:bloquear|bloqueie|bloqueiem) {gap}(?:{data})",
            r"(?:limitacao|restricao|suspensao) (?:do |de )?tratamento|(?:limitar|restringir|suspender) (?:o )?"
            r"tratamento",
        ),
        Right.OBJECTION: (
            r"(?:nao|nunca) quero (?:mais )?que (?:voces |vcs )?(?:usem|utilizem|tratem|compartilhem|vendam) {gap}"
            r"(?:{data})",
            r"(?:me )?(?:opor|oponho|opomos)(?: me)? (?:ao|a|aos) (?:tratamento|uso|utilizacao|compartilhamento)",
            r"oposicao (?:ao|a) (?:tratamento|uso)|direito de oposicao",
            r"(?:parem|pare|parar) de (?:usar|utilizar|tratar|compartilhar|vender|processar) {gap}(?:{data})",
            r"(?:nao|nunca) (?:usem|utilizem|use|utilize|compartilhem|vendam) {gap}(?:{data}) (?:para|em|pra) "
            r"(?:fins de )?(?:{marketing})",
            r"(?:nao|nunca) quero (?:que )?{gap}(?:{data}) (?:(?:sejam) )?(?:usad|utilizad|compartilhad|tratad)[oa]s? "
            r"(?:para|em|pra) (?:fins de )?(?:{marketing})",
        ),
        Right.WITHDRAWAL: (
            r"(?:revogo|revogar|revoguem|revogamos|retiro|retirar|retirem|cancelo|cancelar|cancelem) {gap}"
            r"(?:{consent})",
            r"revogacao {gap}(?:do |de )?(?:{consent})",
            r"(?:nao|ja nao) (?:autorizo|consinto) mais|nao dou mais (?:o )?(?:meu )?consentimento",
        ),
    },
    right_nouns={
        Right.ACCESS: r"acesso|copia|confirmacao",
        Right.ERASURE: r"exclusao|eliminacao|esquecimento|apagamento",
        Right.RECTIFICATION: r"correcao|retificacao",
        Right.RESTRICTION: r"bloqueio|limitacao",
        Right.PORTABILITY: r"portabilidade",
        Right.OBJECTION: r"oposicao",
        Right.WITHDRAWAL: r"revogacao",
    },
    generic=(
        r"(?:pedido|solicitacao|requisicao|requerimento) (?:(?:\w+ ){0,2})?(?:(?:com base na|conforme a|pela|"
        r"segundo a|nos termos da|via|da|de) )?(?:{law})|(?:{law}) (?:pedido|solicitacao|requisicao)",
        r"exercer (?:os )?(?:meus )?direitos(?: (?:de titular|como titular|(?:da |pela )?(?:{law})))?",
    ),
    negation=r"nao|nunca|jamais|nem",
    trailing_negation=r"nao",
    hypothetical=r"se|caso|quando|o que acontece|por que|porque",
    polite=r"por favor|puder|puderem|possivel|poderiam|podem|pode|gentileza|gostaria",
)
