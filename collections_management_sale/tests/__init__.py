from . import test_credit_sale
