//! The sim tenant's static content: packages, artifacts and what each iFlow's messages look like.

/// `(package id, package name, description)`
pub const PACKAGES: &[(&str, &str, &str)] = &[
    (
        "SalesIntegration",
        "Sales Integration",
        "Order-to-cash flows between S/4HANA, the web shop and EDI partners",
    ),
    (
        "ProcurementIntegration",
        "Procurement Integration",
        "Purchase orders, confirmations and invoices with suppliers via Ariba and EDI",
    ),
    (
        "FinanceIntegration",
        "Finance Integration",
        "Payments, bank statements and FX rates",
    ),
    (
        "LogisticsIntegration",
        "Logistics Integration",
        "Deliveries, shipments and carrier tracking",
    ),
    (
        "HRIntegration",
        "HR Integration",
        "Employee master data from SuccessFactors to payroll and identity systems",
    ),
    (
        "MasterDataIntegration",
        "Master Data Integration",
        "Business partner, material and pricing replication",
    ),
    (
        "EventMesh",
        "Event Mesh Bridges",
        "Business events from S/4HANA to Event Mesh and back",
    ),
    (
        "CommonUtilities",
        "Common Utilities",
        "Shared mappings, scripts and error handling",
    ),
];

/// How the messages of one iFlow look. `weight` is the relative message volume (0 = none).
pub struct Flow {
    pub id: &'static str,
    pub name: &'static str,
    pub package: usize,
    pub sender: &'static str,
    pub receiver: &'static str,
    pub sender_adapter: &'static str,
    pub receiver_adapter: &'static str,
    pub msg_type: &'static str,
    /// Prefix of ApplicationMessageId, empty = none.
    pub app_id: &'static str,
    pub weight: u32,
    /// Uses JMS retries (RETRY status with backoff, then a DLQ).
    pub jms: bool,
}

macro_rules! flow {
    ($id:literal, $name:literal, $pkg:expr, $s:literal, $r:literal, $sa:literal, $ra:literal, $mt:literal, $app:literal, $w:expr, $jms:expr) => {
        Flow {
            id: $id,
            name: $name,
            package: $pkg,
            sender: $s,
            receiver: $r,
            sender_adapter: $sa,
            receiver_adapter: $ra,
            msg_type: $mt,
            app_id: $app,
            weight: $w,
            jms: $jms,
        }
    };
}

pub const FLOWS: &[Flow] = &[
    flow!(
        "Orders_Inbound",
        "Orders Inbound",
        0,
        "WebShop",
        "S4HANA_PRD",
        "HTTPS",
        "IDOC",
        "ORDERS05",
        "4500",
        120,
        true
    ),
    flow!(
        "OrderConfirmation_Outbound",
        "Order Confirmation Outbound",
        0,
        "S4HANA_PRD",
        "WebShop",
        "IDOC",
        "HTTP",
        "ORDRSP",
        "OC-",
        60,
        false
    ),
    flow!(
        "Invoice_Outbound_EDI",
        "Invoice Outbound EDI",
        0,
        "S4HANA_PRD",
        "EDI_Partner_Metro",
        "IDOC",
        "AS2",
        "INVOIC02",
        "INV-",
        50,
        true
    ),
    flow!(
        "Quote_Request_CRM",
        "Quote Request from CRM",
        0,
        "SalesCloud",
        "S4HANA_PRD",
        "OData",
        "SOAP",
        "QuoteRequest",
        "Q-",
        20,
        false
    ),
    flow!(
        "PriceList_Sync",
        "Price List Sync",
        0,
        "S4HANA_PRD",
        "WebShop",
        "IDOC",
        "HTTP",
        "COND_A04",
        "",
        10,
        false
    ),
    flow!(
        "Returns_Inbound",
        "Returns Inbound",
        0,
        "WebShop",
        "S4HANA_PRD",
        "HTTPS",
        "OData",
        "ReturnOrder",
        "RMA-",
        8,
        false
    ),
    flow!(
        "PurchaseOrder_Ariba",
        "Purchase Order to Ariba",
        1,
        "S4HANA_PRD",
        "AribaNetwork",
        "IDOC",
        "Ariba",
        "ORDERS05",
        "4500",
        40,
        true
    ),
    flow!(
        "POConfirmation_Ariba",
        "PO Confirmation from Ariba",
        1,
        "AribaNetwork",
        "S4HANA_PRD",
        "Ariba",
        "IDOC",
        "ORDRSP",
        "",
        30,
        false
    ),
    flow!(
        "SupplierInvoice_Inbound",
        "Supplier Invoice Inbound",
        1,
        "AribaNetwork",
        "S4HANA_PRD",
        "Ariba",
        "SOAP",
        "InvoiceRequest",
        "SI-",
        25,
        true
    ),
    flow!(
        "ASN_Inbound_EDI",
        "Advanced Shipping Notice Inbound",
        1,
        "EDI_Partner_Bosch",
        "S4HANA_PRD",
        "AS2",
        "IDOC",
        "DESADV01",
        "ASN",
        15,
        false
    ),
    flow!(
        "Catalog_Upload",
        "Catalog Upload",
        1,
        "SFTP_Supplier",
        "AribaNetwork",
        "SFTP",
        "Ariba",
        "CatalogItem",
        "",
        3,
        false
    ),
    flow!(
        "Payment_Run_Bank",
        "Payment Run to Bank",
        2,
        "S4HANA_PRD",
        "Bank_EBICS",
        "IDOC",
        "SFTP",
        "PAYEXT",
        "PAY-",
        12,
        false
    ),
    flow!(
        "BankStatement_Inbound",
        "Bank Statement Inbound",
        2,
        "Bank_EBICS",
        "S4HANA_PRD",
        "SFTP",
        "IDOC",
        "FINSTA01",
        "",
        6,
        false
    ),
    flow!(
        "FXRates_ECB",
        "FX Rates from ECB",
        2,
        "ECB",
        "S4HANA_PRD",
        "HTTP",
        "OData",
        "ExchangeRate",
        "",
        4,
        false
    ),
    flow!(
        "Dunning_Notification",
        "Dunning Notification",
        2,
        "S4HANA_PRD",
        "MailServer",
        "IDOC",
        "Mail",
        "Dunning",
        "DUN-",
        5,
        false
    ),
    flow!(
        "Delivery_Outbound_3PL",
        "Delivery to 3PL",
        3,
        "S4HANA_PRD",
        "DHL_3PL",
        "IDOC",
        "SOAP",
        "DELVRY07",
        "80",
        45,
        true
    ),
    flow!(
        "Shipment_Tracking",
        "Shipment Tracking",
        3,
        "DHL_3PL",
        "S4HANA_PRD",
        "HTTPS",
        "OData",
        "TrackingEvent",
        "TRK",
        70,
        false
    ),
    flow!(
        "GoodsReceipt_WMS",
        "Goods Receipt from WMS",
        3,
        "EWM_Cloud",
        "S4HANA_PRD",
        "SOAP",
        "IDOC",
        "MBGMCR03",
        "GR-",
        25,
        false
    ),
    flow!(
        "Carrier_Label_Request",
        "Carrier Label Request",
        3,
        "S4HANA_PRD",
        "UPS_API",
        "RFC",
        "HTTP",
        "LabelRequest",
        "",
        15,
        false
    ),
    flow!(
        "Employee_Replication",
        "Employee Replication",
        4,
        "SuccessFactors",
        "S4HANA_PRD",
        "SuccessFactors",
        "SOAP",
        "EmployeeMasterData",
        "EMP",
        10,
        false
    ),
    flow!(
        "Payroll_Export",
        "Payroll Export",
        4,
        "SuccessFactors",
        "ADP_Payroll",
        "SuccessFactors",
        "SFTP",
        "PayrollData",
        "",
        3,
        false
    ),
    flow!(
        "Identity_Provisioning",
        "Identity Provisioning",
        4,
        "SuccessFactors",
        "AzureAD",
        "SuccessFactors",
        "HTTP",
        "User",
        "",
        6,
        false
    ),
    flow!(
        "BusinessPartner_Replication",
        "Business Partner Replication",
        5,
        "MDG_Hub",
        "S4HANA_PRD",
        "SOAP",
        "SOAP",
        "BusinessPartnerSUITEBulkReplicateRequest",
        "BP",
        30,
        true
    ),
    flow!(
        "Material_Replication",
        "Material Replication",
        5,
        "MDG_Hub",
        "S4HANA_PRD",
        "IDOC",
        "IDOC",
        "MATMAS05",
        "MAT",
        25,
        false
    ),
    flow!(
        "Customer_Sync_CRM",
        "Customer Sync to CRM",
        5,
        "S4HANA_PRD",
        "SalesCloud",
        "IDOC",
        "OData",
        "DEBMAS07",
        "",
        12,
        false
    ),
    flow!(
        "Pricing_Replication",
        "Pricing Replication",
        5,
        "S4HANA_PRD",
        "WebShop",
        "IDOC",
        "HTTP",
        "COND_A04",
        "",
        8,
        false
    ),
    flow!(
        "BusinessEvents_Outbound",
        "Business Events Outbound",
        6,
        "S4HANA_PRD",
        "EventMesh",
        "AMQP",
        "AMQP",
        "sap.s4.beh.salesorder.v1.SalesOrder.Changed.v1",
        "",
        90,
        false
    ),
    flow!(
        "BusinessEvents_Inbound",
        "Business Events Inbound",
        6,
        "EventMesh",
        "S4HANA_PRD",
        "AMQP",
        "OData",
        "sap.s4.beh.businesspartner.v1.BusinessPartner.Created.v1",
        "",
        35,
        false
    ),
    flow!(
        "Webhook_Dispatcher",
        "Webhook Dispatcher",
        6,
        "EventMesh",
        "PartnerWebhooks",
        "AMQP",
        "HTTP",
        "Webhook",
        "",
        20,
        true
    ),
    flow!(
        "Error_Notification",
        "Error Notification",
        7,
        "CPI_sim",
        "MailServer",
        "ProcessDirect",
        "Mail",
        "Alert",
        "",
        4,
        false
    ),
    flow!(
        "Generic_Logger",
        "Generic Logger",
        7,
        "CPI_sim",
        "Splunk",
        "ProcessDirect",
        "HTTP",
        "LogEntry",
        "",
        15,
        false
    ),
    flow!(
        "Retry_Handler",
        "Retry Handler",
        7,
        "CPI_sim",
        "CPI_sim",
        "JMS",
        "ProcessDirect",
        "",
        "",
        5,
        true
    ),
    flow!(
        "Orders_Legacy_Inbound",
        "Orders Inbound (legacy)",
        0,
        "EDI_Partner_Metro",
        "S4HANA_PRD",
        "AS2",
        "IDOC",
        "ORDERS",
        "4500",
        0,
        false
    ),
    flow!(
        "Invoice_Archive",
        "Invoice Archive",
        2,
        "S4HANA_PRD",
        "OpenText",
        "IDOC",
        "SOAP",
        "INVOIC02",
        "",
        6,
        false
    ),
    flow!(
        "Inventory_Snapshot",
        "Inventory Snapshot",
        3,
        "EWM_Cloud",
        "DataLake",
        "OData",
        "HTTP",
        "StockSnapshot",
        "",
        2,
        false
    ),
    flow!(
        "TimeSheet_Inbound",
        "Timesheet Inbound",
        4,
        "Fieldglass",
        "S4HANA_PRD",
        "HTTPS",
        "SOAP",
        "TimeSheet",
        "TS-",
        7,
        false
    ),
    flow!(
        "Contract_Sync",
        "Contract Sync",
        1,
        "AribaNetwork",
        "S4HANA_PRD",
        "Ariba",
        "SOAP",
        "Contract",
        "CW",
        2,
        false
    ),
    flow!(
        "Vendor_Onboarding",
        "Vendor Onboarding",
        1,
        "AribaNetwork",
        "MDG_Hub",
        "Ariba",
        "SOAP",
        "Supplier",
        "",
        2,
        false
    ),
    flow!(
        "TaxCalculation_Vertex",
        "Tax Calculation",
        2,
        "S4HANA_PRD",
        "Vertex",
        "SOAP",
        "SOAP",
        "TaxCalculationRequest",
        "",
        40,
        false
    ),
    flow!(
        "CreditCheck_Service",
        "Credit Check",
        2,
        "WebShop",
        "CreditAgency",
        "HTTPS",
        "HTTP",
        "CreditCheck",
        "",
        18,
        false
    ),
    flow!(
        "Product_Feed_Marketplace",
        "Product Feed to Marketplace",
        0,
        "S4HANA_PRD",
        "Marketplace",
        "IDOC",
        "HTTP",
        "ProductFeed",
        "",
        9,
        false
    ),
    flow!(
        "Warranty_Claims",
        "Warranty Claims",
        0,
        "DealerPortal",
        "S4HANA_PRD",
        "HTTPS",
        "OData",
        "WarrantyClaim",
        "WC-",
        4,
        false
    ),
    flow!(
        "Fleet_Telemetry",
        "Fleet Telemetry",
        3,
        "IoT_Hub",
        "DataLake",
        "MQTT",
        "HTTP",
        "Telemetry",
        "",
        30,
        false
    ),
    flow!(
        "Org_Structure_Sync",
        "Org Structure Sync",
        4,
        "SuccessFactors",
        "S4HANA_PRD",
        "SuccessFactors",
        "IDOC",
        "HRMD_A07",
        "",
        1,
        false
    ),
    flow!(
        "Health_Check",
        "Health Check",
        7,
        "Scheduler",
        "CPI_sim",
        "Timer",
        "ProcessDirect",
        "",
        "",
        6,
        false
    ),
];

/// Non-iFlow runtime artifacts `(id, name, type, package)`. Types other than INTEGRATION_FLOW are
/// uncertain in the real API (docs/cpi-api.md, "Runtime artifacts").
pub const OTHER_ARTIFACTS: &[(&str, &str, &str, usize)] = &[
    ("VM_CountryCodes", "Country Code Mapping", "VALUE_MAPPING", 7),
    ("VM_UnitOfMeasure", "Unit of Measure Mapping", "VALUE_MAPPING", 7),
    ("VM_PlantCodes", "Plant Code Mapping", "VALUE_MAPPING", 3),
    (
        "SC_CommonScripts",
        "Common Groovy Scripts",
        "SCRIPT_COLLECTION",
        7,
    ),
    ("SC_EDI_Helpers", "EDI Helper Scripts", "SCRIPT_COLLECTION", 0),
    (
        "MM_ORDERS05_to_Order",
        "ORDERS05 to Sales Order",
        "MESSAGE_MAPPING",
        0,
    ),
    (
        "MM_INVOIC02_to_EDIFACT",
        "INVOIC02 to EDIFACT",
        "MESSAGE_MAPPING",
        0,
    ),
    (
        "MM_DESADV_to_Delivery",
        "DESADV to Inbound Delivery",
        "MESSAGE_MAPPING",
        1,
    ),
    (
        "MM_BP_to_Customer",
        "Business Partner to Customer",
        "MESSAGE_MAPPING",
        5,
    ),
    ("API_Orders_REST", "Orders REST API", "REST_API", 0),
    ("API_Tracking_REST", "Tracking REST API", "REST_API", 3),
    ("API_Invoice_SOAP", "Invoice SOAP API", "SOAP_API", 2),
    ("API_Employee_OData", "Employee OData Service", "ODATA_SERVICE", 4),
    ("API_Products_OData", "Products OData Service", "ODATA_SERVICE", 5),
    (
        "MM_Payment_to_pain001",
        "Payment to pain.001",
        "MESSAGE_MAPPING",
        2,
    ),
    ("VM_CurrencyCodes", "Currency Code Mapping", "VALUE_MAPPING", 2),
    ("SC_Logging", "Logging Scripts", "SCRIPT_COLLECTION", 7),
    ("API_Events_REST", "Events REST API", "REST_API", 6),
];

/// Deploy error of an artifact in ERROR (`ErrorInformation/$value`), in the two forms recorded
/// from real tenants: `levels` empty → `messageId` with plain (multi-line) `text` in `parameter`;
/// otherwise an `InstanceError` whose `parameter` element is a JSON document encoded as a
/// string: `levels[0]` is the exception, each next level a `childMessageInstances` cause of the
/// one before, as `(messageId, parameters)`.
pub struct DeployErrorDef {
    pub message_id: &'static str,
    pub text: &'static str,
    pub levels: &'static [(&'static str, &'static [&'static str])],
}

pub const DEPLOY_ERRORS: &[DeployErrorDef] = &[
    DeployErrorDef {
        message_id: "GenerationFailed",
        text: "The generation and build of the artifact were unsuccessful. Check the artifact for errors.\nScript file 'script1.groovy' not found",
        levels: &[],
    },
    DeployErrorDef {
        message_id: "InstanceError",
        text: "",
        levels: &[
            (
                "com.sap.it.op.agent.trm.IFlowStartError",
                &["Error while starting the integration flow Payroll_Export"],
            ),
            (
                "com.sap.it.rt.adapter.as2.ProducerStartError",
                &[
                    "Caused by: org.apache.camel.FailedToCreateProducerException: Failed to create Producer for endpoint as2://partner",
                    "Receiver AS2_Payroll_Bank",
                ],
            ),
            (
                "com.sap.it.api.keystore.KeyAliasNotFound",
                &[
                    "Caused by: com.sap.it.api.keystore.exception.KeystoreException: Error while loading the keystore entry 'partner_as2_signing'; alias not found in keystore 'system'",
                ],
            ),
        ],
    },
    DeployErrorDef {
        message_id: "InstanceError",
        text: "",
        levels: &[
            (
                "com.sap.it.op.agent.trm.IFlowStartError",
                &["Error while starting the integration flow Orders_Legacy_Inbound"],
            ),
            (
                "com.sap.it.rt.adapter.http.EndpointConflict",
                &[
                    "Caused by: java.lang.IllegalStateException: Endpoint /http/orders/inbound is already registered by integration flow Orders_Inbound",
                ],
            ),
        ],
    },
];

/// The error of an iFlow stopped through the admin endpoint: its SFTP sender cannot log in
/// because the credential it names is not deployed (`{id}` is the iFlow).
pub const STOPPED_ERROR: &[(&str, &[&str])] = &[
    (
        "com.sap.it.op.agent.trm.IFlowStartError",
        &["Error while starting the integration flow {id}"],
    ),
    (
        "com.sap.it.rt.adapter.sftp.ConsumerStartError",
        &[
            "Caused by: org.apache.camel.FailedToCreateRouteException: Failed to create route Process_1 at: >>> From[sftp://sftp.partner.example.com:22/outbound] <<<",
            "Sender SFTP_Partner",
        ],
    ),
    (
        "com.sap.it.api.securestore.CredentialNotFound",
        &[
            "Caused by: com.sap.it.api.securestore.exception.SecureStoreException: Secure Parameter not available for alias SFTP_PARTNER_KEY",
        ],
    ),
];

/// Multicast iFlows: their messages name several receivers, comma-joined, as real tenants send
/// them (`"A_SOAP,B_SOAP"`). Only with the sim's realism (`SimConfig::clean` off).
pub const MULTICAST: &[(&str, &str)] = &[
    ("Invoice_Outbound_EDI", "EDI_Partner_Metro,ARCHIVE_SOAP"),
    ("BusinessEvents_Outbound", "EventMesh_AMQP,Webhook_SOAP"),
];

/// The comma-joined receivers of a multicast iFlow.
pub fn multicast(flow_id: &str) -> Option<&'static str> {
    MULTICAST.iter().find(|(id, _)| *id == flow_id).map(|(_, r)| *r)
}

/// Names as some real tenants carry them: `<->`, double spaces, non-ASCII text. Only with the
/// sim's realism.
pub const ODD_NAMES: &[(&str, &str)] = &[
    ("OrderConfirmation_Outbound", "Order Confirmation  <->  WebShop"),
    (
        "BusinessEvents_Outbound",
        "Business Events → Event Mesh (Geschäftsereignisse)",
    ),
];

/// An iFlow's display name: its odd real-world form when `real`, else the catalog's.
pub fn display_name(flow: &Flow, real: bool) -> &'static str {
    if real && let Some((_, n)) = ODD_NAMES.iter().find(|(id, _)| *id == flow.id) {
        return n;
    }
    flow.name
}
