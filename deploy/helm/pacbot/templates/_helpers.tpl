{{- /* Labels every object carries. */ -}}
{{- define "pacbot.labels" -}}
app.kubernetes.io/part-of: pacbot
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
helm.sh/chart: {{ .Chart.Name }}-{{ .Chart.Version }}
{{- end -}}

{{- /* Labels that select one service's pods (immutable in a Deployment: never change them);
takes (list $ $name). */ -}}
{{- define "pacbot.selectorLabels" -}}
app.kubernetes.io/instance: {{ (index . 0).Release.Name }}
app.kubernetes.io/name: {{ index . 1 }}
{{- end -}}

{{- /* The services that may run several replicas: each coordinates its work through the database
(autofix claims plans with a lease, exceptions skips locked rows) or through Kafka's consumer
groups. inventory is absent: its sweep scheduler would run every due sweep once per replica. */ -}}
{{- define "pacbot.scalable" -}}gateway assessor violations exceptions autofix{{- end -}}

{{- /* The services that query OpenSearch (and so get its password). */ -}}
{{- define "pacbot.searchServices" -}}gateway inventory{{- end -}}

{{- define "pacbot.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}

{{- define "pacbot.serviceAccountName" -}}
{{ .Values.serviceAccount.name | default .Release.Name }}
{{- end -}}

{{- define "pacbot.internalSecretName" -}}
{{ .Values.internalSecret.existingSecret | default (printf "%s-internal" .Release.Name) }}
{{- end -}}

{{- define "pacbot.serviceUrls" -}}
{{- $urls := dict -}}
{{- range $name, $svc := .Values.services -}}
{{- $_ := set $urls $name (printf "http://%s-%s:%v" $.Release.Name $name $svc.port) -}}
{{- end -}}
{{- toJson $urls -}}
{{- end -}}

{{- /* Where the notification Secret (notify.existingSecret) is mounted. */ -}}
{{- define "pacbot.notifyDir" -}}/etc/pacbot/notify{{- end -}}

{{- /* Where the CA bundle (caBundle.configMap) is mounted, and its file ("" without one). */ -}}
{{- define "pacbot.caDir" -}}/etc/pacbot/ca{{- end -}}
{{- define "pacbot.caFile" -}}
{{- if .Values.caBundle.configMap -}}{{ include "pacbot.caDir" . }}/{{ .Values.caBundle.key }}{{- end -}}
{{- end -}}

{{- /* True (non-empty) when service $name sends notifications and a notification Secret is named;
takes (list $ $name). */ -}}
{{- define "pacbot.mountsNotifySecret" -}}
{{- $root := index . 0 -}}
{{- if and $root.Values.notify.existingSecret (has (index . 1) $root.Values.notify.services) -}}true{{- end -}}
{{- end -}}

{{- define "pacbot.kafkaSasl" -}}
{{- if hasPrefix "SASL_" .Values.kafka.securityProtocol -}}true{{- end -}}
{{- end -}}

{{- /* Refuse settings the services would refuse at start, with the reason, at render time. */ -}}
{{- define "pacbot.validate" -}}
{{- $n := .Values.notify -}}
{{- $keys := $n.secretKeys -}}
{{- if and (or $keys.smtpPassword $keys.webhookSecret $keys.slackWebhookUrl) (not $n.existingSecret) -}}
{{- fail "notify.secretKeys names keys but notify.existingSecret names no Secret to read them from" -}}
{{- end -}}
{{- if and $n.webhookUrl (not $keys.webhookSecret) -}}
{{- fail "notify.webhookUrl is set but notify.secretKeys.webhookSecret is not: every webhook call is signed (X-PacBot-Signature), so name the key of its secret in notify.existingSecret" -}}
{{- end -}}
{{- if and $n.smtp.ssl $n.smtp.starttls -}}
{{- fail "notify.smtp.ssl and notify.smtp.starttls exclude each other: choose ssl (port 465) or starttls (port 587)" -}}
{{- end -}}
{{- if regexMatch "://[^/@]*:[^/@]*@" .Values.postgres.url -}}
{{- fail "postgres.url holds a password: remove it from the URL and name the Secret that holds it in postgres.existingSecret (key postgres.passwordKey)" -}}
{{- end -}}
{{- if and (include "pacbot.kafkaSasl" .) (not .Values.kafka.sasl.existingSecret) -}}
{{- fail (printf "kafka.securityProtocol is %s but kafka.sasl.existingSecret names no Secret holding the services' passwords (keys: kafka.sasl.passwordKeys)" .Values.kafka.securityProtocol) -}}
{{- end -}}
{{- if and .Values.opensearch.username (not .Values.opensearch.existingSecret) -}}
{{- fail "opensearch.username is set but opensearch.existingSecret names no Secret holding its password" -}}
{{- end -}}
{{- if and .Values.ingress.enabled (not .Values.ingress.hosts) -}}
{{- fail "ingress.enabled needs at least one host in ingress.hosts" -}}
{{- end -}}
{{- end -}}

{{- /* Plain settings every service reads (PACBOT_*), as a YAML map. */ -}}
{{- define "pacbot.sharedEnv" -}}
{{- $ca := include "pacbot.caFile" . -}}
{{- $env := merge (include "pacbot.databaseEnv" . | fromYaml) (include "pacbot.kafkaEnv" . | fromYaml) -}}
{{- $os := .Values.opensearch -}}
{{- $_ := set $env "PACBOT_OPENSEARCH_URL" $os.url -}}
{{- $_ := set $env "PACBOT_OPENSEARCH_VERIFY_CERTS" (toString $os.verifyCerts) -}}
{{- with $os.username -}}
{{- $_ := set $env "PACBOT_OPENSEARCH_USERNAME" . -}}
{{- end -}}
{{- with ($os.caFile | default $ca) -}}
{{- $_ := set $env "PACBOT_OPENSEARCH_CA_FILE" . -}}
{{- end -}}
{{- toYaml $env -}}
{{- end -}}

{{- /* Where Kafka is and how to reach it (not who logs in), as a YAML map. */ -}}
{{- define "pacbot.kafkaEnv" -}}
{{- $k := .Values.kafka -}}
{{- $env := dict "PACBOT_KAFKA_BOOTSTRAP_SERVERS" $k.bootstrapServers "PACBOT_KAFKA_SECURITY_PROTOCOL" $k.securityProtocol -}}
{{- if include "pacbot.kafkaSasl" . -}}
{{- $_ := set $env "PACBOT_KAFKA_SASL_MECHANISM" $k.saslMechanism -}}
{{- end -}}
{{- with ($k.caFile | default (include "pacbot.caFile" .)) -}}
{{- $_ := set $env "PACBOT_KAFKA_SSL_CAFILE" . -}}
{{- end -}}
{{- toYaml $env -}}
{{- end -}}

{{- /* The plain database settings (all a migration needs), as a YAML map. */ -}}
{{- define "pacbot.databaseEnv" -}}
{{- $pg := .Values.postgres -}}
{{- $env := dict "PACBOT_POSTGRES_URL" $pg.url -}}
{{- with $pg.sslmode -}}
{{- $_ := set $env "PACBOT_POSTGRES_SSLMODE" . -}}
{{- end -}}
{{- with ($pg.sslRootCert | default (include "pacbot.caFile" $)) -}}
{{- $_ := set $env "PACBOT_POSTGRES_SSLROOTCERT" . -}}
{{- end -}}
{{- toYaml $env -}}
{{- end -}}

{{- /* A service's own plain settings (PACBOT_<SERVICE>_*), as a YAML map; takes (list $ $name). */ -}}
{{- define "pacbot.serviceEnv" -}}
{{- $ := index . 0 -}}
{{- $name := index . 1 -}}
{{- $svc := index $.Values.services $name -}}
{{- $p := printf "PACBOT_%s_" (upper $name) -}}
{{- $env := dict -}}
{{- $_ := set $env (print $p "HOST") "0.0.0.0" -}}
{{- $_ := set $env (print $p "PORT") (toString $svc.port) -}}
{{- $_ := set $env (print $p "RUN_MIGRATIONS") "false" -}}
{{- $_ := set $env (print $p "SERVICE_URLS") (include "pacbot.serviceUrls" $) -}}
{{- $_ := set $env (print $p "BUS") "kafka" -}}
{{- $_ := set $env (print $p "KAFKA_PARTITIONS") (toString $.Values.kafka.topics.partitions) -}}
{{- $_ := set $env (print $p "AWS_REGION") $.Values.aws.region -}}
{{- if has $name (splitList " " (include "pacbot.searchServices" $)) -}}
{{- $_ := set $env (print $p "SEARCH") "opensearch" -}}
{{- end -}}
{{- if include "pacbot.kafkaSasl" $ -}}
{{- $_ := set $env (print $p "KAFKA_SASL_USERNAME") (printf "pacbot-%s" $name) -}}
{{- end -}}
{{- if eq $name "autofix" -}}
{{- $a := $.Values.autofix -}}
{{- $_ := set $env "PACBOT_AUTOFIX_DRY_RUN" (toString $a.dryRun) -}}
{{- $_ := set $env "PACBOT_AUTOFIX_POLICIES" ($a.policies | default dict | toJson) -}}
{{- $_ := set $env "PACBOT_AUTOFIX_ALLOWED_ACCOUNTS" ($a.allowedAccounts | default list | toJson) -}}
{{- with $a.securityAddress -}}
{{- $_ := set $env "PACBOT_AUTOFIX_SECURITY_ADDRESS" . -}}
{{- end -}}
{{- end -}}
{{- if has $name $.Values.notify.services -}}
{{- $env = merge $env (include "pacbot.notifyEnv" (list $ $p) | fromYaml) -}}
{{- end -}}
{{- range $key, $value := $svc.env -}}
{{- $full := print $p $key -}}
{{- if hasKey $env $full -}}
{{- fail (printf "services.%s.env.%s: the chart sets %s itself (from other values); set it there" $name $key $full) -}}
{{- end -}}
{{- $_ := set $env $full (kindIs "string" $value | ternary $value (toJson $value)) -}}
{{- end -}}
{{- toYaml $env -}}
{{- end -}}

{{- /* Notification settings of one service, as a YAML map; takes (list $ "PACBOT_<SERVICE>_"). */ -}}
{{- define "pacbot.notifyEnv" -}}
{{- $ := index . 0 -}}
{{- $p := index . 1 -}}
{{- $n := $.Values.notify -}}
{{- $dir := include "pacbot.notifyDir" $ -}}
{{- $env := dict -}}
{{- if $n.smtp.host -}}
{{- $_ := set $env (print $p "SMTP_HOST") $n.smtp.host -}}
{{- $_ := set $env (print $p "SMTP_PORT") (toString $n.smtp.port) -}}
{{- $_ := set $env (print $p "SMTP_FROM") $n.smtp.from -}}
{{- $_ := set $env (print $p "SMTP_STARTTLS") (toString $n.smtp.starttls) -}}
{{- $_ := set $env (print $p "SMTP_SSL") (toString $n.smtp.ssl) -}}
{{- with $n.smtp.username -}}
{{- $_ := set $env (print $p "SMTP_USERNAME") . -}}
{{- end -}}
{{- end -}}
{{- with $n.webhookUrl -}}
{{- $_ := set $env (print $p "WEBHOOK_URL") . -}}
{{- end -}}
{{- with $n.fallbackAddresses -}}
{{- $_ := set $env (print $p "FALLBACK_ADDRESSES") (toJson .) -}}
{{- end -}}
{{- with $n.defaultFallbackAddress -}}
{{- $_ := set $env (print $p "DEFAULT_FALLBACK_ADDRESS") . -}}
{{- end -}}
{{- if $n.existingSecret -}}
{{- with $n.secretKeys.smtpPassword -}}
{{- $_ := set $env (print $p "SMTP_PASSWORD_FILE") (printf "%s/%s" $dir .) -}}
{{- end -}}
{{- with $n.secretKeys.webhookSecret -}}
{{- $_ := set $env (print $p "WEBHOOK_SECRET_FILE") (printf "%s/%s" $dir .) -}}
{{- end -}}
{{- with $n.secretKeys.slackWebhookUrl -}}
{{- $_ := set $env (print $p "SLACK_WEBHOOK_URL_FILE") (printf "%s/%s" $dir .) -}}
{{- end -}}
{{- end -}}
{{- toYaml $env -}}
{{- end -}}

{{- /* A ConfigMap's data or a container's env list from a YAML map, every value quoted. */ -}}
{{- define "pacbot.envData" -}}
{{- range $key, $value := fromYaml . }}
{{ $key }}: {{ $value | toString | quote }}
{{- end }}
{{- end -}}
{{- define "pacbot.envList" -}}
{{- range $key, $value := fromYaml . }}
- name: {{ $key }}
  value: {{ $value | toString | quote }}
{{- end }}
{{- end -}}

{{- define "pacbot.secretEnv" -}}
- name: {{ index . 0 }}
  valueFrom:
    secretKeyRef: {name: {{ index . 1 | quote }}, key: {{ index . 2 | quote }}}
{{- end -}}

{{- /* The database password, when it comes from a Secret. */ -}}
{{- define "pacbot.databaseSecretEnv" -}}
{{- with .Values.postgres.existingSecret }}
{{ include "pacbot.secretEnv" (list "PACBOT_POSTGRES_PASSWORD" . $.Values.postgres.passwordKey) }}
{{- end }}
{{- end -}}

{{- /* The credentials of one service, from Secrets; takes (list $ $name). */ -}}
{{- define "pacbot.serviceSecretEnv" -}}
{{- $ := index . 0 -}}
{{- $name := index . 1 -}}
{{ include "pacbot.secretEnv" (list "PACBOT_INTERNAL_SECRET" (include "pacbot.internalSecretName" $) $.Values.internalSecret.key) }}
{{- include "pacbot.databaseSecretEnv" $ }}
{{- if include "pacbot.kafkaSasl" $ }}
{{ include "pacbot.secretEnv" (list (printf "PACBOT_%s_KAFKA_SASL_PASSWORD" (upper $name)) $.Values.kafka.sasl.existingSecret (index $.Values.kafka.sasl.passwordKeys $name)) }}
{{- end }}
{{- if and $.Values.opensearch.existingSecret (has $name (splitList " " (include "pacbot.searchServices" $))) }}
{{ include "pacbot.secretEnv" (list "PACBOT_OPENSEARCH_PASSWORD" $.Values.opensearch.existingSecret $.Values.opensearch.passwordKey) }}
{{- end }}
{{- end -}}

{{- define "pacbot.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .Values.podSecurity.runAsUser }}
runAsGroup: {{ .Values.podSecurity.runAsGroup }}
fsGroup: {{ .Values.podSecurity.runAsGroup }}
seccompProfile: {type: RuntimeDefault}
{{- end -}}

{{- define "pacbot.containerSecurityContext" -}}
runAsNonRoot: true
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
privileged: false
capabilities: {drop: [ALL]}
seccompProfile: {type: RuntimeDefault}
{{- end -}}

{{- /* Volumes every pod has: /tmp on an emptyDir (the root filesystem is read-only), the CA
bundle when one is named. */ -}}
{{- define "pacbot.volumes" -}}
- name: tmp
  emptyDir: {sizeLimit: 256Mi}
{{- with .Values.caBundle.configMap }}
- name: ca-bundle
  configMap: {name: {{ . | quote }}}
{{- end }}
{{- end -}}

{{- define "pacbot.volumeMounts" -}}
- {name: tmp, mountPath: /tmp}
{{- if .Values.caBundle.configMap }}
- {name: ca-bundle, mountPath: {{ include "pacbot.caDir" . }}, readOnly: true}
{{- end }}
{{- end -}}

{{- define "pacbot.podScheduling" -}}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
{{- range . }}
  - name: {{ . | quote }}
{{- end }}
{{- end }}
{{- with .Values.nodeSelector }}
nodeSelector: {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.tolerations }}
tolerations: {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}
